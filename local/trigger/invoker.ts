import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleHandler } from './bundle.js';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../../shared/errors.js';
import type { FunctionModel, ServerlessModel } from '../serverlessModel.js';
import type { WorkerFault } from './faults.js';
import type { InvokeMessage, SerializedError, WorkerInit, WorkerMessage } from './protocol.js';

/**
 * Runs one function's handler in isolated execution environments: a worker thread per
 * concurrent execution, each with the function's own environment, kept warm between
 * invocations and replaced after a crash or a timeout (the next invocation is a cold start).
 */

/** How an invocation ended. `error`: the handler threw; `crash`: the environment died; `timeout`: it ran past the function's timeout. */
export type InvokeOutcome =
  | { readonly status: 'ok'; readonly response: unknown; readonly cold: boolean; readonly millis: number }
  | { readonly status: 'error' | 'crash' | 'timeout'; readonly error: SerializedError; readonly cold: boolean; readonly millis: number };

/** Lambda's init phase limit, on top of the function timeout. */
const INIT_TIMEOUT_MS = 10_000;
const BOOT = fileURLToPath(new URL('./workerBoot.mjs', import.meta.url));

/** Resolves `functions/enrich.handler` to the module file and export name. */
export function resolveHandler(handler: string, cwd: string): { path: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new ConfigError('handler', `expected 'path/module.export', got '${handler}'`);
  const base = resolve(cwd, handler.slice(0, dot));
  const path = ['.ts', '.mts', '.js', '.mjs', '.cjs'].map((ext) => base + ext).find((candidate) => existsSync(candidate));
  if (!path) throw new ConfigError('handler', `no module for '${handler}' (looked for ${base}.ts/.js)`);
  return { path, exportName: handler.slice(dot + 1) };
}

/**
 * The V8 heap Lambda's Node.js bootstrap gives a function of `memorySize` MB: a tenth of the
 * memory for new objects (`--max-semi-space-size` of half of it; V8's young generation is three
 * semi-spaces) and the rest for old ones. Node's default young generation (16 MB semi-spaces)
 * would collect a busy function's garbage several times as often as Lambda does.
 */
export function lambdaHeapLimits(memorySize: number): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  const newSpace = Math.floor(memorySize / 10);
  return { maxYoungGenerationSizeMb: 3 * Math.floor(newSpace / 2), maxOldGenerationSizeMb: memorySize - newSpace };
}

/** Where V8 starts a worker's old generation, in MB (it keeps it under half the maximum). */
export const WORKER_INITIAL_OLD_SPACE_MB = 128;
let roomy = false;

/**
 * Starts the old generation of every worker created from now on at
 * {@link WORKER_INITIAL_OLD_SPACE_MB} instead of V8's few MB. A function keeps a batch of
 * thousands of records alive across its requests, so they outlive the young generation, and
 * from a small start V8 collected the old generation again and again as it grew: ~185 full
 * collections in the workers of an `eddy run` of 94,498 records, 39–42 from 128 MB
 * (`--trace-gc`), and the `eddy` process used 8–16 % less CPU against DynamoDB Local's in the
 * same runs (docs/benchmarks.md). Lambda's limits stay as they are. V8 reads the flag
 * when it creates an isolate: it reaches the workers, not the thread that sets it. A
 * `--initial-old-space-size` given to node is left alone.
 */
export function roomyWorkerHeaps(): void {
  if (roomy) return;
  roomy = true;
  if (!process.execArgv.some((arg) => arg.startsWith('--initial-old-space-size'))) setFlagsFromString(`--initial-old-space-size=${WORKER_INITIAL_OLD_SPACE_MB}`);
}

class Execution {
  public readonly worker: Worker;
  public cold = true;
  public dead = false;

  public constructor(init: WorkerInit, env: Record<string, string>, output?: Writable) {
    roomyWorkerHeaps();
    // Without `output` the handler's stdout/stderr go to this process's, as `serverless offline` shows them.
    this.worker = new Worker(BOOT, { workerData: init, env, execArgv: [], resourceLimits: lambdaHeapLimits(init.memorySize), stdout: output !== undefined, stderr: output !== undefined });
    if (output) {
      this.worker.stdout.pipe(output, { end: false });
      this.worker.stderr.pipe(output, { end: false });
    }
    this.worker.on('exit', () => (this.dead = true));
    this.worker.on('error', () => (this.dead = true));
  }

  /** Runs the init phase now, so the first invocation is warm; resolves when it is over (or the worker died). */
  public warm(): Promise<void> {
    this.cold = false;
    return new Promise((resolve) => {
      const onMessage = (reply: WorkerMessage): void => {
        if (reply.type === 'warmed') done();
      };
      const done = (): void => {
        this.worker.off('message', onMessage);
        this.worker.off('exit', done);
        resolve();
      };
      this.worker.on('message', onMessage);
      this.worker.on('exit', done);
      this.worker.postMessage({ type: 'warm' });
    });
  }

  public run(message: InvokeMessage, timeoutMs: number): Promise<InvokeOutcome> {
    const started = Date.now();
    const cold = this.cold;
    this.cold = false;
    return new Promise((settle) => {
      let timer = setTimeout(() => finish('timeout', { errorType: 'Runtime.InitTimeout', errorMessage: `Init phase exceeded ${INIT_TIMEOUT_MS / 1000} seconds` }), INIT_TIMEOUT_MS);
      const finish = (status: 'ok' | 'error' | 'crash' | 'timeout', detail: SerializedError | { response: unknown }): void => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
        const millis = Date.now() - started;
        if (status === 'timeout') void this.kill();
        if (status === 'ok') settle({ status, response: (detail as { response: unknown }).response, cold, millis });
        else settle({ status, error: detail as SerializedError, cold, millis });
      };
      let initDone = false;
      const onMessage = (reply: WorkerMessage): void => {
        if (reply.requestId !== message.requestId) return;
        if (reply.type === 'started') {
          initDone = true;
          clearTimeout(timer);
          const seconds = timeoutMs / 1000;
          timer = setTimeout(() => finish('timeout', { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${seconds.toFixed(2)} seconds` }), timeoutMs);
        } else if (reply.ok) finish('ok', { response: reply.response });
        else {
          // An init (module load) failure: as Lambda does, the next invocation gets a fresh environment.
          if (!initDone) this.dead = true;
          finish('error', reply.error);
        }
      };
      const onError = (error: Error): void => finish('crash', { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${message.requestId} Error: ${error.message}` });
      const onExit = (code: number): void => finish('crash', { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${message.requestId} Error: Runtime exited with error: exit status ${code}` });
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.on('exit', onExit);
      this.worker.postMessage(message);
    });
  }

  public async kill(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  readonly model: ServerlessModel;
  readonly fn: FunctionModel;
  /** Project root the handler path is relative to. @default process.cwd() */
  readonly cwd?: string;
  /** Overrides the function's timeoutSeconds (milliseconds), for tests. */
  readonly timeoutMs?: number;
  /** Where the handler's stdout and stderr (logs, EMF metrics) go. @default this process's stdout/stderr */
  readonly output?: Writable;
  /** Bundle the handler into this directory first, as it is deployed (see `bundleHandler`); unset: load the TypeScript through tsx. */
  readonly bundleDir?: string;
}

/** The execution environments of one function. */
export class WorkerPool {
  private readonly idle: Execution[] = [];
  private readonly busy = new Set<Execution>();
  private readonly init: WorkerInit;
  private readonly env: Record<string, string>;
  private readonly output: Writable | undefined;

  public constructor(options: WorkerPoolOptions) {
    const { model, fn } = options;
    const cwd = options.cwd ?? process.cwd();
    const resolved = resolveHandler(fn.handler, cwd);
    const { exportName } = resolved;
    const path = options.bundleDir === undefined ? resolved.path : bundleHandler(resolved.path, join(options.bundleDir, fn.key));
    const timeoutMs = options.timeoutMs ?? fn.timeoutSeconds * 1000;
    this.output = options.output;
    const functionArn = `arn:aws:lambda:${model.region}:${model.accountId}:function:${fn.name}`;
    this.init = { moduleUrl: pathToFileURL(path).href, modulePath: path, exportName, functionName: fn.name, functionArn, memorySize: fn.memorySize, timeoutMs };
    const inherited = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    this.env = {
      ...inherited,
      ...fn.environment,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_REGION: process.env.AWS_REGION ?? model.region,
      LAMBDA_TASK_ROOT: cwd,
    };
  }

  /** The function's ARN as the event source mapping and the destination records name it. */
  public get functionArn(): string {
    return this.init.functionArn;
  }

  /** Invokes the handler once in a warm environment, or a new one. */
  public async invoke(event: unknown, faults: readonly WorkerFault[], requestId: string = randomUUID()): Promise<InvokeOutcome> {
    let execution = this.idle.pop();
    while (execution?.dead) execution = this.idle.pop();
    execution ??= new Execution(this.init, this.env, this.output);
    this.busy.add(execution);
    try {
      const outcome = await execution.run({ type: 'invoke', requestId, event, faults }, this.init.timeoutMs);
      if (outcome.status === 'crash' || outcome.status === 'timeout' || execution.dead) await execution.kill();
      else this.idle.push(execution);
      return outcome;
    } finally {
      this.busy.delete(execution);
    }
  }

  /**
   * Starts `count` environments and loads the handler in each ahead of the first invocation,
   * like provisioned concurrency. Resolves when every one has finished its init phase.
   */
  public async prewarm(count: number): Promise<void> {
    const warming: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const execution = new Execution(this.init, this.env, this.output);
      warming.push(execution.warm());
      this.idle.push(execution);
    }
    await Promise.all(warming);
  }

  /** Environments alive now (warm or running). */
  public get size(): number {
    return this.idle.length + this.busy.size;
  }

  /** Terminates every environment. Call once nothing is in flight. */
  public async close(): Promise<void> {
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    await Promise.all(all.map((execution) => execution.kill()));
  }
}
