import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../shared/errors.js';

/** One flag of a command. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly description: string;
  /** Shown in `--help`; also the value when the flag is absent. */
  readonly default?: string | boolean;
  readonly multiple?: boolean;
}

/** Parsed flags: strings stay strings, so each command validates and names a bad value. */
export type Flags = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** A CLI command: its help text, flags and what it runs. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage line(s) after `eddy`, e.g. `stack up [--memory]`. */
  readonly usage: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Extra help text: subcommands, examples. */
  readonly details?: string;
  run(flags: Flags, positionals: readonly string[]): Promise<number | void>;
}

/** Renders a command's `--help`. */
export function helpText(command: Command): string {
  const lines = [`eddy ${command.usage}`, '', command.summary, ''];
  if (command.details) lines.push(command.details.trimEnd(), '');
  const entries = Object.entries(command.flags);
  lines.push('Options:');
  for (const [name, spec] of [...entries, ['help', { type: 'boolean', short: 'h', description: 'Show this help' }] as const]) {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const value = spec.type === 'string' ? ` <value>` : '';
    const fallback = spec.default !== undefined && spec.default !== false ? ` (default: ${String(spec.default)})` : '';
    lines.push(`  ${short}--${name}${value}`.padEnd(34) + spec.description + fallback);
  }
  return lines.join('\n');
}

/**
 * Parses argv against the command's flags; an unknown flag or a missing value stops with a
 * message naming it (a {@link ConfigError}).
 */
export function parseFlags(command: Command, argv: readonly string[]): { flags: Flags; positionals: string[]; help: boolean } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.flags)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.default !== undefined ? { default: spec.default } : {}),
    } as NonNullable<ParseArgsConfig['options']>[string];
  }
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    const { help, ...flags } = parsed.values as Flags & { help?: boolean };
    return { flags, positionals: parsed.positionals, help: help === true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`eddy ${command.name}`, `${message}. See 'eddy ${command.name} --help'.`, { cause: error });
  }
}

/** Reads a string flag as a number within bounds, naming the flag when it is not. */
export function numberFlag(flags: Flags, name: string, bounds: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = bounds;
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    const range = `${integer ? 'an integer' : 'a number'}${Number.isFinite(min) ? ` ≥ ${min}` : ''}${Number.isFinite(max) ? ` ≤ ${max}` : ''}`;
    throw new ConfigError(`--${name}`, `expected ${range}, got '${String(raw)}'`);
  }
  return value;
}

/** Reads a string flag that must be one of `choices`. */
export function choiceFlag<T extends string>(flags: Flags, name: string, choices: readonly T[]): T | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(`--${name}`, `expected one of ${choices.join(', ')}, got '${String(raw)}'`);
  }
  return raw as T;
}

/** Reads an optional string flag. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const raw = flags[name];
  return typeof raw === 'string' ? raw : undefined;
}
