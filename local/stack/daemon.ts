// The stack's background process, started by `eddy stack up`: it hosts the emulators until
// SIGTERM/SIGINT, and records its endpoints in .eddy/stack.json once they all answer.
import { startStack, type StackOptions } from './stack.js';
import { clearStackState, writeStackState } from './stackState.js';

const options = JSON.parse(process.argv[2] ?? '{}') as StackOptions & { stage: string; cwd: string };
const stack = await startStack(options);
await writeStackState(
  { pid: process.pid, endpoints: stack.endpoints, s3Directory: stack.s3Directory, region: options.region, stage: options.stage, persist: options.persist, dataDir: options.dataDir, startedAt: new Date().toISOString() },
  options.cwd,
);
process.stdout.write(`ready ${JSON.stringify(stack.endpoints)}\n`);

let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  await clearStackState(options.cwd);
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
