import { ConfigError } from '../errors.js';

/**
 * The schema of `eddy datagen`, after Flink's datagen connector: each field has a type and a
 * generator kind (`random` or `sequence`) with the connector's options. Validation names the
 * field and the option at fault, and rejects unknown options so a typo does not pass silently.
 */

/** Field types. */
export const FIELD_TYPES = ['int', 'double', 'string', 'boolean', 'timestamp'] as const;
/** A field type. */
export type FieldType = (typeof FIELD_TYPES)[number];
/** Generator kinds, as Flink's `fields.#.kind`. */
export const FIELD_KINDS = ['random', 'sequence'] as const;
/** A generator kind. */
export type FieldKind = (typeof FIELD_KINDS)[number];

/** Flink's defaults: random ints over the whole INT range, random strings of 100 characters. */
export const INT_RANGE = { min: -2_147_483_648, max: 2_147_483_647 } as const;
/** Default length of a random string (Flink: 100). */
export const DEFAULT_STRING_LENGTH = 100;

/** One field, validated and with defaults applied. */
export type FieldSpec =
  | { readonly type: 'int' | 'double'; readonly kind: 'random'; readonly min: number; readonly max: number; readonly nullRate: number }
  | { readonly type: 'int' | 'double' | 'string'; readonly kind: 'sequence'; readonly start: number; readonly end: number; readonly nullRate: number }
  | { readonly type: 'string'; readonly kind: 'random'; readonly length: number; readonly nullRate: number }
  | { readonly type: 'boolean'; readonly kind: 'random'; readonly nullRate: number }
  | { readonly type: 'timestamp'; readonly kind: 'random'; readonly maxPastMs: number; readonly nullRate: number };

/** A validated schema: fields in output order, and the table options. */
export interface DatagenSchema {
  readonly fields: ReadonlyArray<readonly [name: string, spec: FieldSpec]>;
  /** Flink's `rows-per-second`; 0 = unlimited. */
  readonly rowsPerSecond?: number;
  /** Flink's `number-of-rows`; absent = unbounded (or until a sequence ends). */
  readonly numberOfRows?: number;
}

const OPTIONS: Record<FieldType, Record<FieldKind, readonly string[] | undefined>> = {
  int: { random: ['min', 'max'], sequence: ['start', 'end'] },
  double: { random: ['min', 'max'], sequence: ['start', 'end'] },
  string: { random: ['length'], sequence: ['start', 'end'] },
  boolean: { random: [], sequence: undefined },
  timestamp: { random: ['max-past'], sequence: undefined },
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a parsed schema `{"fields": {"name": {"type": …, "kind": …, …}}, "rows-per-second"?, "number-of-rows"?}`.
 * @param value - the parsed JSON
 * @throws ConfigError naming `schema` or `field 'name'` (and the option)
 */
export function parseDatagenSchema(value: unknown): DatagenSchema {
  if (!isObject(value) || !isObject(value.fields)) throw new ConfigError('schema', 'expected an object with "fields": {"name": {"type": …}, …}');
  for (const key of Object.keys(value)) {
    if (!['fields', 'rows-per-second', 'number-of-rows'].includes(key)) throw new ConfigError('schema', `unknown option '${key}' (expected fields, rows-per-second, number-of-rows)`);
  }
  const entries = Object.entries(value.fields);
  if (entries.length === 0) throw new ConfigError('schema', '"fields" is empty');
  const rowsPerSecond = optionalNumber(value, 'rows-per-second', 'schema', { min: 0 });
  const numberOfRows = optionalNumber(value, 'number-of-rows', 'schema', { min: 0, integer: true });
  return {
    fields: entries.map(([name, spec]) => [name, parseField(name, spec)] as const),
    ...(rowsPerSecond !== undefined ? { rowsPerSecond } : {}),
    ...(numberOfRows !== undefined ? { numberOfRows } : {}),
  };
}

function parseField(name: string, spec: unknown): FieldSpec {
  const key = `field '${name}'`;
  if (!isObject(spec)) throw new ConfigError(key, 'expected an object like {"type": "int"}');
  const type = spec.type;
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) throw new ConfigError(key, `type must be one of ${FIELD_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  const rawKind = spec.kind ?? 'random';
  if (typeof rawKind !== 'string' || !(FIELD_KINDS as readonly string[]).includes(rawKind)) throw new ConfigError(key, `kind must be random or sequence, got ${JSON.stringify(rawKind)}`);
  const kind = rawKind as FieldKind;
  const allowed = OPTIONS[type as FieldType][kind];
  if (!allowed) throw new ConfigError(key, `a ${type} field cannot be a sequence (only int, double and string can)`);
  for (const option of Object.keys(spec)) {
    if (!['type', 'kind', 'null-rate', ...allowed].includes(option)) throw new ConfigError(key, `unknown option '${option}' for a ${kind} ${type} (allowed: ${allowed.join(', ') || 'none'}, null-rate)`);
  }
  const nullRate = optionalNumber(spec, 'null-rate', key, { min: 0, max: 1 }) ?? 0;
  const integer = type !== 'double';
  if (kind === 'sequence') {
    const start = optionalNumber(spec, 'start', key, { integer: true });
    const end = optionalNumber(spec, 'end', key, { integer: true });
    if (start === undefined || end === undefined) throw new ConfigError(key, 'a sequence needs both start and end');
    if (start > end) throw new ConfigError(key, `start (${start}) is after end (${end})`);
    checkIntRange(type, key, 'start', start);
    checkIntRange(type, key, 'end', end);
    return { type: type as 'int' | 'double' | 'string', kind: 'sequence', start, end, nullRate };
  }
  if (type === 'string') {
    const length = optionalNumber(spec, 'length', key, { min: 0, max: 1_000_000, integer: true }) ?? DEFAULT_STRING_LENGTH;
    return { type, kind: 'random', length, nullRate };
  }
  if (type === 'boolean') return { type, kind: 'random', nullRate };
  if (type === 'timestamp') return { type, kind: 'random', maxPastMs: optionalNumber(spec, 'max-past', key, { min: 0, integer: true }) ?? 0, nullRate };
  const fallback = integer ? INT_RANGE : { min: 0, max: 1 };
  const min = optionalNumber(spec, 'min', key, { integer }) ?? fallback.min;
  const max = optionalNumber(spec, 'max', key, { integer }) ?? fallback.max;
  if (min > max) throw new ConfigError(key, `min (${min}) is greater than max (${max})`);
  checkIntRange(type, key, 'min', min);
  checkIntRange(type, key, 'max', max);
  return { type: type as 'int' | 'double', kind: 'random', min, max, nullRate };
}

function checkIntRange(type: string, key: string, option: string, value: number): void {
  if (type === 'int' && (value < INT_RANGE.min || value > INT_RANGE.max)) throw new ConfigError(key, `${option} (${value}) is outside the INT range`);
}

function optionalNumber(spec: Record<string, unknown>, option: string, key: string, bounds: { min?: number; max?: number; integer?: boolean }): number | undefined {
  const value = spec[option];
  if (value === undefined) return undefined;
  const { min = -Number.MAX_VALUE, max = Number.MAX_VALUE, integer = false } = bounds;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value)) || value < min || value > max) {
    const range = `${integer ? 'an integer' : 'a number'}${bounds.min !== undefined ? ` ≥ ${min}` : ''}${bounds.max !== undefined ? ` ≤ ${max}` : ''}`;
    throw new ConfigError(key, `${option} must be ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}
