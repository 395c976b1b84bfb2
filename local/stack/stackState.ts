import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StackEndpoints } from './stack.js';

/** What `eddy stack up` leaves in `.eddy/stack.json` for `down`, `status` and every other command. */
export interface StackState {
  readonly pid: number;
  readonly endpoints: StackEndpoints;
  /** The S3 emulator's store; absent in state written by an older eddy. */
  readonly s3Directory?: string;
  readonly region: string;
  readonly stage: string;
  readonly persist: boolean;
  readonly dataDir: string;
  readonly startedAt: string;
}

/** The state directory of a project: `EDDY_STATE_DIR`, else `<project>/.eddy`. */
export const stateDir = (cwd = process.cwd()): string => process.env.EDDY_STATE_DIR ?? join(cwd, '.eddy');
const stateFile = (cwd?: string): string => join(stateDir(cwd), 'stack.json');

/** Reads the stack state, or undefined when no stack was started. */
export async function readStackState(cwd?: string): Promise<StackState | undefined> {
  const text = await readFile(stateFile(cwd), 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as StackState) : undefined;
}

/** Writes the stack state. */
export async function writeStackState(state: StackState, cwd?: string): Promise<void> {
  await mkdir(dirname(stateFile(cwd)), { recursive: true });
  await writeFile(stateFile(cwd), `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the stack state. */
export async function clearStackState(cwd?: string): Promise<void> {
  await rm(stateFile(cwd), { force: true });
}

/** True when a process with that pid is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
