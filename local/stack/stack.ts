import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamo, startKinesis, startS3, type Emulator } from './emulators.js';

/** Credentials every emulator accepts. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Ports of the three emulators. */
export interface StackPorts {
  readonly kinesis: number;
  readonly dynamodb: number;
  readonly s3: number;
}

/** Default loopback ports: kinesalite's, DynamoDB Local's and serverless-s3-local's. */
export const DEFAULT_PORTS: StackPorts = { kinesis: 4567, dynamodb: 8000, s3: 4569 };

/** Options of {@link startStack}. */
export interface StackOptions {
  /** Keep data under `dataDir` between runs; otherwise everything lives in memory (S3 in `/dev/shm` where it has room, else a temp directory). */
  readonly persist: boolean;
  /** Where persisted data lives. @default .eddy/data */
  readonly dataDir: string;
  readonly ports: StackPorts;
  /** Region the emulators report in ARNs. */
  readonly region: string;
}

/** Endpoints of a running stack. */
export interface StackEndpoints {
  readonly kinesis: string;
  readonly dynamodb: string;
  readonly s3: string;
}

/** A running local stack. */
export interface RunningStack {
  readonly endpoints: StackEndpoints;
  /** The S3 emulator's store (s3rver's filesystem layout, see `s3rverObjectPath`). */
  readonly s3Directory: string;
  stop(): Promise<void>;
}

/**
 * The environment that points the AWS SDK (and so every handler, unchanged) at the stack:
 * the standard `AWS_ENDPOINT_URL_*` variables, a region and dummy credentials.
 */
export function stackEnv(endpoints: StackEndpoints, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    // s3rver predates the SDK's default CRC checksums on every request; send them only where S3 requires them.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // s3rver accepts only its own key pair; DynamoDB Local (-sharedDb) and kinesalite accept any.
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

/** Free space a memory-backed directory needs before an ephemeral bucket goes there (a replay of the sample data writes ~130 MB). */
const MEMORY_DIR_MIN_FREE_BYTES = 2 * 1024 ** 3;

/**
 * Where an ephemeral bucket's files go: `/dev/shm` (memory) when it exists with room to spare,
 * else the temp directory. s3rver keeps every object as files; on a disk, tens of thousands of
 * small files a run cost journal writes and the kernel's time, for data deleted at stop.
 */
export async function ephemeralDirectoryRoot(candidate = '/dev/shm'): Promise<string> {
  try {
    const fs = await statfs(candidate);
    return fs.bavail * fs.bsize >= MEMORY_DIR_MIN_FREE_BYTES ? candidate : tmpdir();
  } catch {
    return tmpdir();
  }
}

/**
 * Starts Kinesis, DynamoDB Local and S3 in parallel on loopback. If one fails to start, the
 * others are stopped and the error (naming the port or the missing Java) is thrown.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  // kinesalite reads the region for its ARNs from the environment when it starts.
  process.env.AWS_REGION = options.region;
  const s3Dir = options.persist ? join(options.dataDir, 's3') : await mkdtemp(join(await ephemeralDirectoryRoot(), 'eddy-s3-'));
  const results = await Promise.allSettled([
    startKinesis(options.ports.kinesis, options.persist ? join(options.dataDir, 'kinesis') : undefined),
    startDynamo(options.ports.dynamodb, options.persist ? join(options.dataDir, 'dynamodb') : undefined),
    startS3(options.ports.s3, s3Dir),
  ]);
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((emulator: Emulator) => emulator.stop()));
    if (!options.persist) await rm(s3Dir, { recursive: true, force: true });
  };
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  const [kinesis, dynamodb, s3] = started as [Emulator, Emulator, Emulator];
  return { endpoints: { kinesis: kinesis.endpoint, dynamodb: dynamodb.endpoint, s3: s3.endpoint }, s3Directory: s3Dir, stop: stopAll };
}
