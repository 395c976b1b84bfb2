import { parentPort, workerData } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { InvokeMessage, SerializedError, WarmMessage, WorkerInit, WorkerMessage } from './protocol.js';
import { beginInvocation, fireBeforeHandler, injectedFailure, installSdkFaultHooks } from './workerFaults.js';

/**
 * A Lambda execution environment in a worker thread: the handler module is loaded once, on the
 * first invocation (the cold start), and reused while the worker lives, like a warm container.
 * The worker's `process.env` is the function's own environment.
 */

type Handler = (event: unknown, context: Context, callback: (error?: unknown, result?: unknown) => void) => unknown;

const init = workerData as WorkerInit;
const port = parentPort;
let handlerPromise: Promise<Handler> | undefined;

const loadHandler = async (): Promise<Handler> => {
  installSdkFaultHooks(init.modulePath);
  const module = (await import(init.moduleUrl)) as Record<string, unknown>;
  const handler = module[init.exportName];
  if (typeof handler !== 'function') throw Object.assign(new Error(`${init.modulePath} does not export a function '${init.exportName}'`), { name: 'Runtime.HandlerNotFound' });
  return handler as Handler;
};

const serialize = (error: unknown): SerializedError =>
  error instanceof Error ? { errorType: error.name, errorMessage: error.message, ...(error.stack ? { stack: error.stack } : {}) } : { errorType: 'Error', errorMessage: String(error) };

function lambdaContext(requestId: string, deadline: number): Context {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: init.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: init.functionArn,
    memoryLimitInMB: String(init.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${init.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Calls the handler, async or callback style. */
function callHandler(handler: Handler, event: unknown, context: Context): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown): void => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned instanceof Promise || (handler.length < 3 && returned !== undefined)) Promise.resolve(returned).then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    } catch (error) {
      reject(error);
    }
  });
}

async function invoke(message: InvokeMessage): Promise<WorkerMessage> {
  try {
    handlerPromise ??= loadHandler();
    const handler = await handlerPromise;
    port?.postMessage({ type: 'started', requestId: message.requestId } satisfies WorkerMessage);
    beginInvocation(message.faults);
    fireBeforeHandler();
    const response = await callHandler(handler, message.event, lambdaContext(message.requestId, Date.now() + init.timeoutMs));
    const failure = injectedFailure();
    if (failure) throw failure;
    return { type: 'result', requestId: message.requestId, ok: true, response };
  } catch (error) {
    return { type: 'result', requestId: message.requestId, ok: false, error: serialize(injectedFailure() ?? error) };
  }
}

port?.on('message', (message: InvokeMessage | WarmMessage) => {
  if (message.type === 'warm') {
    // A failed init surfaces on the first invocation, as Lambda reports it.
    handlerPromise ??= loadHandler();
    const warmed = (): void => port?.postMessage({ type: 'warmed' } satisfies WorkerMessage);
    handlerPromise.then(warmed, warmed);
    return;
  }
  void invoke(message).then((result) => {
    try {
      port.postMessage(result);
    } catch (error) {
      // A response that cannot be cloned is an invalid Lambda response, as on AWS.
      port.postMessage({ type: 'result', requestId: message.requestId, ok: false, error: serialize(error) } satisfies WorkerMessage);
    }
  });
});
