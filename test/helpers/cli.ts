import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { vi } from 'vitest';
import { parseFlags, type Command } from '../../cli/command.js';

/** What a command printed and how it ended. */
export interface CommandRun {
  readonly stdout: string;
  /** The error `eddy` would report with exit code 2, if it threw. */
  readonly error?: Error;
}

/**
 * Runs a command in this process from its argv (a process start costs over a second): what it
 * printed, or the error `eddy` would report with exit code 2.
 */
export async function runCommand(command: Command, ...argv: string[]): Promise<CommandRun> {
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  try {
    const { flags, positionals } = parseFlags(command, argv);
    await command.run(flags, positionals);
    return { stdout };
  } catch (error) {
    return { stdout, error: error as Error };
  } finally {
    write.mockRestore();
  }
}

/** `eddy ARGS` in its own process, as a user types it: exit code and output. */
export async function eddyProcess(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/eddy.js', ...args], { env: options.env ?? process.env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
