/**
 * An object store across a child process's IPC channel (`fork` with `serialization:
 * 'advanced'`): the writer runs in the child, the bytes it stores stay in the parent. The child's
 * memory is then the writer's alone, as a Lambda's is, whose S3 is elsewhere.
 */
import type { ChildProcess } from 'node:child_process';
import type { InMemoryObjectStore } from '../../shared/adapters/InMemoryObjectStore.js';
import type { ObjectStore, PartTag } from '../../shared/ports/ObjectStore.js';

/** Bytes the parent's store holds: visible objects and parts of open uploads. */
export interface HeldBytes {
  readonly objects: number;
  readonly parts: number;
}

interface StoreCall {
  readonly id: number;
  readonly op: keyof ObjectStore | 'held';
  readonly args: unknown[];
}

interface StoreReply {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

const isCall = (message: unknown): message is StoreCall => typeof message === 'object' && message !== null && 'op' in message && 'id' in message;
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** In the child: the {@link ObjectStore} whose calls the parent answers. */
export class RemoteObjectStore implements ObjectStore {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  /** @param onCall - called as each request is sent and as its answer arrives (to sample memory) */
  public constructor(private readonly onCall: () => void = () => undefined) {
    process.on('message', (reply: StoreReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.error === undefined) waiter?.resolve(reply.value);
      else waiter?.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
  }

  public async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.call('put', key, body);
  }

  public async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return asBuffer((await this.call('getRange', key, offset, length)) as Uint8Array);
  }

  public async createUpload(key: string): Promise<string> {
    return (await this.call('createUpload', key)) as string;
  }

  public async uploadPart(key: string, uploadId: string, number: number, body: Uint8Array): Promise<string> {
    return (await this.call('uploadPart', key, uploadId, number, body)) as string;
  }

  public async completeUpload(key: string, uploadId: string, parts: readonly PartTag[], last?: { readonly number: number; readonly body: Uint8Array }): Promise<void> {
    await this.call('completeUpload', key, uploadId, parts, last);
  }

  public async delete(keys: readonly string[]): Promise<void> {
    await this.call('delete', keys);
  }

  /** What the parent's store holds now. */
  public async held(): Promise<HeldBytes> {
    return (await this.call('held')) as HeldBytes;
  }

  private call(op: StoreCall['op'], ...args: unknown[]): Promise<unknown> {
    this.onCall();
    this.next += 1;
    const id = this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      process.send?.({ id, op, args } satisfies StoreCall);
    }).finally(this.onCall);
  }
}

/** In the parent: answers a child's {@link RemoteObjectStore} from `store`; other messages are left to other listeners. */
export function serveObjectStore(child: ChildProcess, store: InMemoryObjectStore): void {
  child.on('message', async (message: unknown) => {
    if (!isCall(message)) return;
    try {
      const args = message.args.map((arg) => (arg instanceof Uint8Array ? asBuffer(arg) : arg));
      const value = message.op === 'held' ? store.heldBytes() : await (store[message.op] as (...a: unknown[]) => Promise<unknown>).apply(store, args);
      child.send({ id: message.id, value } satisfies StoreReply);
    } catch (error) {
      const { name, message: text } = error as Error;
      child.send({ id: message.id, error: { name, message: text } } satisfies StoreReply);
    }
  });
}
