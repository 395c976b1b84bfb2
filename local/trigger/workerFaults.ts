import { createRequire } from 'node:module';
import type { WorkerFault } from './faults.js';

/**
 * Runs inside a handler's worker thread: hooks every AWS SDK v3 client (they all extend
 * smithy's `Client`) so faults fire at exact SDK calls while the handler code knows nothing.
 * Fail/crash and PutRecords partial failures sit at the `initialize` step (once per call);
 * throttling sits at the `deserialize` step, below the SDK's retry loop, so the SDK's own
 * retries see it and handle it as they would on AWS.
 */

/** Raised into the handler (and as the invocation's error) when a `fail` fault fires. */
export class InjectedFaultError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'InjectedFaultError';
  }
}

interface MiddlewareArgs {
  input: Record<string, unknown>;
}
interface MiddlewareContext {
  commandName?: string;
}
type Handler = (args: MiddlewareArgs) => Promise<{ output: Record<string, unknown> }>;
type Middleware = (next: Handler, context: MiddlewareContext) => Handler;
interface Stack {
  add(middleware: Middleware, options: { step: string; name: string; priority?: string }): void;
}
interface SmithyClientClass {
  prototype: { send: (this: { middlewareStack: Stack }, ...args: unknown[]) => unknown };
}

/** Per-invocation fault state; reset by {@link beginInvocation}. */
interface FaultState {
  faults: readonly WorkerFault[];
  calls: Map<string, number>;
  attempts: Map<string, number>;
  /** Set when a fail fault fired: the invocation fails even if the handler swallowed it. */
  failed?: InjectedFaultError;
}

const state: FaultState = { faults: [], calls: new Map(), attempts: new Map() };
const patched = new WeakSet<object>();

/** Starts an invocation with these faults. */
export function beginInvocation(faults: readonly WorkerFault[]): void {
  state.faults = faults;
  state.calls = new Map();
  state.attempts = new Map();
  delete state.failed;
}

/** The fail fault that fired during this invocation, if any. */
export const injectedFailure = (): InjectedFaultError | undefined => state.failed;

/** Fires a fail/crash fault with no operation: before the handler runs. */
export function fireBeforeHandler(): void {
  for (const fault of state.faults) if ((fault.kind === 'fail' || fault.kind === 'crash') && fault.operation === undefined) fire(fault.kind, 'before the handler');
}

function fire(kind: 'fail' | 'crash', where: string): void {
  if (kind === 'crash') process.exit(137);
  state.failed = new InjectedFaultError(`injected failure ${where}`);
  throw state.failed;
}

const operationOf = (context: MiddlewareContext): string => (context.commandName ?? '').replace(/Command$/, '');

const callMiddleware: Middleware = (next, context) => async (args) => {
  const operation = operationOf(context);
  const call = (state.calls.get(operation) ?? 0) + 1;
  state.calls.set(operation, call);
  const matching = state.faults.filter((fault) => 'operation' in fault && fault.operation === operation);
  for (const fault of matching) {
    if ((fault.kind === 'fail' || fault.kind === 'crash') && (fault.when ?? 'after') === 'before' && (fault.call ?? 1) === call) fire(fault.kind, `before ${operation} call ${call}`);
  }
  const partial = operation === 'PutRecords' ? state.faults.find((fault) => fault.kind === 'putRecordsPartialFailure' && (fault.call ?? 1) === call) : undefined;
  const result = partial?.kind === 'putRecordsPartialFailure' ? await partialPutRecords(next, args, partial.entries, partial.errorCode) : await next(args);
  for (const fault of matching) {
    if ((fault.kind === 'fail' || fault.kind === 'crash') && (fault.when ?? 'after') === 'after' && (fault.call ?? 1) === call) fire(fault.kind, `after ${operation} call ${call}`);
  }
  return result;
};

async function partialPutRecords(next: Handler, args: MiddlewareArgs, entries: readonly number[], errorCode = 'ProvisionedThroughputExceededException'): Promise<{ output: Record<string, unknown> }> {
  const records = (args.input.Records ?? []) as unknown[];
  const failing = new Set(entries.filter((index) => index >= 0 && index < records.length));
  const kept = records.filter((_, index) => !failing.has(index));
  const sent = kept.length > 0 ? await next({ ...args, input: { ...args.input, Records: kept } }) : { output: { Records: [], FailedRecordCount: 0, $metadata: {} } };
  const results = (sent.output.Records ?? []) as unknown[];
  let next_ = 0;
  const merged = records.map((_, index) =>
    failing.has(index) ? { ErrorCode: errorCode, ErrorMessage: 'Rate exceeded for shard (eddy fault injection)' } : results[next_++],
  );
  return { ...sent, output: { ...sent.output, Records: merged, FailedRecordCount: Number(sent.output.FailedRecordCount ?? 0) + failing.size } };
}

const throttleMiddleware: Middleware = (next, context) => async (args) => {
  const operation = operationOf(context);
  const fault = state.faults.find((candidate) => candidate.kind === 'throttle' && candidate.operation === operation);
  if (fault?.kind === 'throttle') {
    const attempt = (state.attempts.get(operation) ?? 0) + 1;
    state.attempts.set(operation, attempt);
    if (attempt <= (fault.attempts ?? 1)) {
      const code = fault.errorCode ?? 'ProvisionedThroughputExceededException';
      throw Object.assign(new Error(`Rate exceeded (eddy fault injection, attempt ${attempt})`), { name: code, $fault: 'client', $metadata: { httpStatusCode: 400 } });
    }
  }
  return next(args);
};

/**
 * Hooks every SDK client the handler module can reach. Call before importing the handler.
 * @param handlerFile - absolute path of the handler module, to resolve the same SDK copy it uses
 */
export function installSdkFaultHooks(handlerFile: string): void {
  const candidates = [createRequire(handlerFile), createRequire(import.meta.url)];
  for (const require of candidates) {
    let client: SmithyClientClass;
    try {
      client = (require('@smithy/core/client') as { Client: SmithyClientClass }).Client;
    } catch {
      continue;
    }
    if (patched.has(client)) continue;
    patched.add(client);
    const original = client.prototype.send;
    client.prototype.send = function send(this: { middlewareStack: Stack }, ...args: unknown[]): unknown {
      const stack = this.middlewareStack;
      if (!patched.has(stack)) {
        patched.add(stack);
        stack.add(callMiddleware, { step: 'initialize', name: 'eddyFaultCalls', priority: 'high' });
        stack.add(throttleMiddleware, { step: 'deserialize', name: 'eddyFaultThrottle', priority: 'low' });
      }
      return original.apply(this, args);
    };
  }
}
