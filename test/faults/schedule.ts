import type { FaultSpec } from '../../local/trigger/index.js';
import { RETRY_DEFAULTS } from '../../shared/constants.js';
import { seededRandom } from '../../shared/random.js';

/**
 * Fault schedules, drawn from a seed: the same seed always gives the same schedule, so a
 * failure is reproduced with `FAULT_SEEDS=<seed>`. Each seed has a primary fault kind chosen
 * round-robin (`seed % PRIMARY_KINDS.length`), so any run of consecutive seeds as long as the
 * list covers every kind, plus one to three more faults drawn at random.
 */

/** The fault kinds of the issue's requirement (2), one per seed in turn. */
export const PRIMARY_KINDS = [
  'crashAfterPutRecords',
  'crash',
  'fail',
  'throttleKinesis',
  'throttleDynamoDB',
  'putRecordsPartialFailure',
  'deliverTwice',
  'splitShard',
  'mergeShards',
  'producerResend',
] as const;

/** One of {@link PRIMARY_KINDS}. */
export type PrimaryKind = (typeof PRIMARY_KINDS)[number];

/** A reshard while records flow. */
export interface Reshard {
  readonly kind: 'split' | 'merge';
  readonly stream: 'raw' | 'enriched';
}

/** Everything a schedule does besides the pipeline's own configuration. */
export interface Schedule {
  readonly seed: number;
  readonly primary: PrimaryKind;
  readonly faults: readonly FaultSpec[];
  readonly reshard?: Reshard;
  /** Generated rows on the plain path, and on the KPL path. */
  readonly rows: number;
  readonly kplRows: number;
  /** Share of rows the producer sends twice. */
  readonly duplicateRate: number;
  /** Whether the KPL-aggregated rows are sent a second time. */
  readonly kplResend: boolean;
  /** Records per producer PutRecords batch (smaller: the pipeline works while the producer still sends). */
  readonly produceBatch: number;
  /** Rows per second the producer sends at, so the stages work while records still arrive. */
  readonly produceRate: number;
  /** Shards of each stream at the start (a merge needs two). */
  readonly shards: number;
  /** Batch size of both event source mappings. */
  readonly batchSize: number;
}

type Fn = 'enrich' | 'dedupe';

/** SDK operations each stage makes, by how surely an early invocation makes them. */
const OPERATIONS: Readonly<Record<Fn, readonly string[]>> = {
  enrich: ['PutRecords', 'PutRecords', 'Scan', 'BatchGetItem', 'PutObject'],
  // Dedupe inserts every key; it reads only keys already stored (duplicates, redeliveries).
  dedupe: ['PutRecords', 'PutRecords', 'BatchExecuteStatement', 'BatchExecuteStatement', 'BatchGetItem'],
};
/** Operations the first invocation of each stage always makes (a cold start Scans the products; every key is new to dedupe). */
const SURE_OPERATIONS: Readonly<Record<Fn, readonly string[]>> = { enrich: ['PutRecords', 'Scan'], dedupe: ['PutRecords', 'BatchExecuteStatement'] };
const DYNAMODB_OPERATIONS: Readonly<Record<Fn, readonly string[]>> = { enrich: ['Scan', 'BatchGetItem'], dedupe: ['BatchExecuteStatement', 'BatchExecuteStatement', 'BatchGetItem'] };

/** Draws a schedule from its seed. */
export function planSchedule(seed: number): Schedule {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const primary = PRIMARY_KINDS[seed % PRIMARY_KINDS.length] as PrimaryKind;
  // Fail and crash faults are scoped to one invocation of one function, never two on the same one,
  // so each fires at most once and the retry budget (5) cannot run out because of the schedule.
  const used = new Set<string>();
  const invocationFor = (fn: Fn): number => {
    for (;;) {
      const invocation = int(1, 4);
      if (!used.has(`${fn}#${invocation}`)) {
        used.add(`${fn}#${invocation}`);
        return invocation;
      }
    }
  };
  const fnOf = (): Fn => pick(['enrich', 'dedupe'] as const);
  /** An injected fail or crash: the primary one hits invocation 1 at an operation that invocation surely makes, so it always fires. */
  const failOrCrash = (kind: 'fail' | 'crash', primary: boolean, operations?: readonly string[]): FaultSpec => {
    const fn = fnOf();
    const invocation = primary ? 1 : invocationFor(fn);
    if (primary) used.add(`${fn}#1`);
    const choices = operations ?? (primary ? SURE_OPERATIONS[fn] : OPERATIONS[fn]);
    const operation = operations === undefined && random() < 0.2 ? undefined : pick(choices);
    return { kind, function: fn, invocation, ...(operation ? { operation, when: operations ? 'after' : pick(['before', 'after'] as const), call: 1 } : {}) };
  };
  const make: Record<Exclude<PrimaryKind, 'splitShard' | 'mergeShards' | 'producerResend'>, (primary: boolean) => FaultSpec[]> = {
    crashAfterPutRecords: (primary) => [failOrCrash('crash', primary, ['PutRecords'])],
    crash: (primary) => [failOrCrash('crash', primary)],
    fail: (primary) => [failOrCrash('fail', primary)],
    throttleKinesis: () => [{ kind: 'throttle', function: fnOf(), invocation: int(1, 4), operation: 'PutRecords', attempts: int(1, 4) }],
    throttleDynamoDB: () => {
      const fn = fnOf();
      return [{ kind: 'throttle', function: fn, invocation: int(1, 4), operation: pick(DYNAMODB_OPERATIONS[fn]), attempts: int(1, 4), errorCode: pick(['ProvisionedThroughputExceededException', 'ThrottlingException']) }];
    },
    putRecordsPartialFailure: () => {
      const fn = fnOf();
      const invocation = int(1, 4);
      if (random() < 0.3) {
        // Entry 0 fails on every attempt the sink makes (8): the stage must report it in
        // batchItemFailures and Lambda must deliver from it again.
        return Array.from({ length: RETRY_DEFAULTS.maxAttempts }, (_, call) => ({ kind: 'putRecordsPartialFailure' as const, function: fn, invocation, call: call + 1, entries: [0] }));
      }
      const entries = [...new Set(Array.from({ length: int(1, 5) }, () => int(0, 60)))].sort((a, b) => a - b);
      return [random() < 0.5 ? { kind: 'putRecordsPartialFailure', function: fn, entries } : { kind: 'putRecordsPartialFailure', function: fn, invocation, entries }];
    },
    deliverTwice: () => {
      const fn = fnOf();
      return [random() < 0.3 ? { kind: 'deliverTwice', function: fn } : { kind: 'deliverTwice', function: fn, invocation: int(1, 4) }];
    },
  };
  const faultKinds = Object.keys(make) as (keyof typeof make)[];
  const faults: FaultSpec[] = [];
  let reshard: Reshard | undefined;
  const reshardOf = (kind: Reshard['kind']): Reshard => ({ kind, stream: pick(['raw', 'enriched'] as const) });
  if (primary === 'splitShard') reshard = reshardOf('split');
  else if (primary === 'mergeShards') reshard = reshardOf('merge');
  else if (primary !== 'producerResend') faults.push(...make[primary](true));
  const extras = int(1, 3);
  for (let i = 0; i < extras; i++) faults.push(...make[pick(faultKinds)](false));
  if (!reshard && random() < 0.15) reshard = reshardOf(pick(['split', 'merge'] as const));
  return {
    seed,
    primary,
    faults,
    ...(reshard ? { reshard } : {}),
    rows: int(200, 400),
    kplRows: int(10, 30),
    duplicateRate: primary === 'producerResend' ? 0.1 : 0.02 + random() * 0.05,
    kplResend: primary === 'producerResend' || random() < 0.3,
    produceBatch: pick([50, 100, 250, 500]),
    produceRate: pick([200, 400, 1_000]),
    // One shard keeps a schedule to two execution environments; two exercise several shards per stage.
    shards: reshard?.kind === 'merge' ? 2 : pick([1, 1, 2]),
    batchSize: pick([25, 100, 500]),
  };
}

/** One line describing a schedule, for failure messages. */
export function describeSchedule(schedule: Schedule): string {
  const { faults, reshard, ...rest } = schedule;
  return `${JSON.stringify(rest)} faults=${JSON.stringify(faults)}${reshard ? ` reshard=${JSON.stringify(reshard)}` : ''}`;
}
