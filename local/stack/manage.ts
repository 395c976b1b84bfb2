import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfigError } from '../../shared/errors.js';
import { sleep } from '../../shared/retry.js';
import { loadServerlessModel } from '../loadServerlessModel.js';
import type { ServerlessModel } from '../serverlessModel.js';
import { createResources, type CreatedResources, type StackClients } from './resources.js';
import { DEFAULT_PORTS, LOCAL_CREDENTIALS, stackEnv, type StackEndpoints, type StackPorts } from './stack.js';
import { clearStackState, isAlive, readStackState, stateDir, type StackState } from './stackState.js';

/** Options of {@link stackUp}. */
export interface StackUpOptions {
  readonly cwd?: string;
  readonly stage?: string;
  /** Keep data on disk between runs. @default true */
  readonly persist?: boolean;
  readonly ports?: Partial<StackPorts>;
  /** Drop persisted data first. */
  readonly fresh?: boolean;
  /** Shards of every stream, whatever serverless.yml says. @default serverless.yml's (params.shards, custom.eddy.localShards for an on-demand stream) */
  readonly shards?: number;
}

/** Result of {@link stackUp}. */
export interface StackUpResult {
  readonly state: StackState;
  readonly resources: CreatedResources;
  readonly model: ServerlessModel;
  readonly alreadyRunning: boolean;
  readonly millis: number;
}

/** Clients with explicit endpoints (HTTP/1.1), for the stack's own calls. */
export function stackClients(endpoints: StackEndpoints, region: string): StackClients {
  const credentials = LOCAL_CREDENTIALS;
  const requestHandler = new NodeHttpHandler();
  return {
    kinesis: new KinesisClient({ endpoint: endpoints.kinesis, region, credentials, requestHandler }),
    dynamodb: new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials, requestHandler }),
    s3: new S3Client({ endpoint: endpoints.s3, region, credentials, requestHandler, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }),
  };
}

/**
 * Starts the emulators in a background process (unless one runs already) and creates every
 * resource serverless.yml declares.
 */
export async function stackUp(options: StackUpOptions = {}): Promise<StackUpResult> {
  const started = Date.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const stage = options.stage ?? 'dev';
  const model = await loadServerlessModel({ cwd, stage, ...(options.shards === undefined ? {} : { localShards: options.shards }) });
  let state = await runningState(cwd);
  const alreadyRunning = state !== undefined;
  if (state && state.stage !== stage) throw new ConfigError('--stage', `a stack for stage '${state.stage}' is running; run 'eddy stack down' first`);
  if (!state) {
    const persist = options.persist ?? true;
    const dataDir = join(stateDir(cwd), 'data', stage);
    if (options.fresh) await rm(dataDir, { recursive: true, force: true });
    state = await spawnDaemon(cwd, { persist, dataDir, ports: { ...DEFAULT_PORTS, ...options.ports }, region: model.region, stage, cwd });
  }
  const resources = await createResources(model, stackClients(state.endpoints, state.region));
  return { state, resources, model, alreadyRunning, millis: Date.now() - started };
}

async function spawnDaemon(cwd: string, daemonOptions: Record<string, unknown>): Promise<StackState> {
  await mkdir(stateDir(cwd), { recursive: true });
  const logFile = join(stateDir(cwd), 'stack.log');
  const log = openSync(logFile, 'w');
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const daemon = join(import.meta.dirname, 'daemon.ts');
  // A server allocating short-lived request and record objects all day: 64 MB semi-spaces (Node's
  // default is 16) keep them out of the old generation; the daemon's CPU fell ~25 % in an eddy run.
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', tsx, daemon, JSON.stringify(daemonOptions)], { cwd, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const state = await readStackState(cwd);
    if (state && state.pid === child.pid) return state;
    if (child.exitCode !== null || !isAlive(child.pid ?? -1)) {
      const text = readFileSync(logFile, 'utf8');
      const reason = /ConfigError: (.*)/.exec(text)?.[1] ?? text.trim().split('\n').slice(-5).join('\n');
      throw new ConfigError('stack', `the local stack did not start: ${reason}`);
    }
    await sleep(50);
  }
  throw new ConfigError('stack', `the local stack did not start within 60 s (see ${logFile})`);
}

/** The state of the running stack, or undefined (a stale state file is removed). */
export async function runningState(cwd?: string): Promise<StackState | undefined> {
  const state = await readStackState(cwd);
  if (state && isAlive(state.pid)) return state;
  if (state) await clearStackState(cwd);
  return undefined;
}

/** Stops the background stack; true when one was running. */
export async function stackDown(cwd?: string): Promise<boolean> {
  const state = await runningState(cwd);
  if (!state) return false;
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (isAlive(state.pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  await clearStackState(cwd);
  return true;
}

/** What each emulator holds, for `eddy stack status`. */
export interface StackStatus {
  readonly state: StackState;
  readonly streams: readonly string[];
  readonly tables: readonly string[];
  readonly buckets: readonly string[];
}

/** Asks each emulator what it holds; undefined when no stack runs. */
export async function stackStatus(cwd?: string): Promise<StackStatus | undefined> {
  const state = await runningState(cwd);
  if (!state) return undefined;
  const clients = stackClients(state.endpoints, state.region);
  const [streams, tables, buckets] = await Promise.all([
    clients.kinesis.send(new ListStreamsCommand({})).then((out) => out.StreamNames ?? []),
    clients.dynamodb.send(new ListTablesCommand({})).then((out) => out.TableNames ?? []),
    clients.s3.send(new ListBucketsCommand({})).then((out) => (out.Buckets ?? []).map((bucket) => bucket.Name ?? '')),
  ]);
  return { state, streams, tables, buckets };
}

/**
 * Points this process's AWS SDK at the running local stack, unless `EDDY_TARGET=aws`.
 * Every command that talks to AWS calls it first.
 * @returns the stack state, or undefined when targeting AWS
 */
export async function useLocalStack(cwd?: string): Promise<StackState | undefined> {
  if (process.env.EDDY_TARGET === 'aws') return undefined;
  const state = await runningState(cwd);
  if (!state) throw new ConfigError('stack', "no local stack is running: start one with 'eddy stack up' (or set EDDY_TARGET=aws to use your AWS account)");
  Object.assign(process.env, stackEnv(state.endpoints, state.region));
  return state;
}
