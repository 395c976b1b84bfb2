import type { WorkerFault } from './faults.js';

/** What a handler's worker thread is started with (`workerData`). */
export interface WorkerInit {
  /** file: URL of the handler module. */
  readonly moduleUrl: string;
  /** Absolute path of the handler module. */
  readonly modulePath: string;
  readonly exportName: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly memorySize: number;
  readonly timeoutMs: number;
}

/** Main thread → worker: run the handler once. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  readonly event: unknown;
  readonly faults: readonly WorkerFault[];
}

/** Main thread → worker: load the handler now (provisioned concurrency), before any invocation. */
export interface WarmMessage {
  readonly type: 'warm';
}

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack?: string;
}

/** Worker → main thread. `started` marks the end of the init phase (module loaded); `warmed` answers a warm message. */
export type WorkerMessage =
  | { readonly type: 'warmed'; readonly requestId?: undefined }
  | { readonly type: 'started'; readonly requestId: string }
  | { readonly type: 'result'; readonly requestId: string; readonly ok: true; readonly response: unknown }
  | { readonly type: 'result'; readonly requestId: string; readonly ok: false; readonly error: SerializedError };
