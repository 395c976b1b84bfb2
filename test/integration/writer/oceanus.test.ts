import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerlessModel } from '../../../local/loadServerlessModel.js';
import type { ServerlessModel } from '../../../local/serverlessModel.js';
import { createResources } from '../../../local/stack/resources.js';
import { startTrigger } from '../../../local/trigger/index.js';
import { createKinesisClient, createS3Client } from '../../../shared/adapters/clients.js';
import { KinesisRecordSink } from '../../../shared/adapters/KinesisRecordSink.js';
import { datagenRows } from '../../../shared/generator/datagen.js';
import { parseDatagenSchema } from '../../../shared/generator/datagenSchema.js';
import { isCommittedKey } from '../../../shared/lake/committedKey.js';
import { createPartitionKeyFn } from '../../../shared/producer/partitionKeys.js';
import { produceRecords } from '../../../shared/producer/produceRecords.js';
import type { SourceLine } from '../../../shared/producer/sources.js';
import { sleep } from '../../../shared/retry.js';
import { renameModel } from '../../faults/renameModel.js';
import { useTestStack } from '../../helpers/stack.js';
import { linesOf, listObjects } from '../../helpers/writerRun.js';

// The Oceanus example as serverless.yml declares it (the oceanusWriter function, its stream and
// settings), fed by `eddy datagen` with the recipe's schema, under the local trigger with its
// scheduled sweep. Only the rollover interval, the batching window and the sweep's quiet period
// are shortened, so the test need not wait 30 minutes.
useTestStack();
const clients = { kinesis: createKinesisClient(), dynamodb: new DynamoDBClient({}), s3: createS3Client() };
let model: ServerlessModel;

beforeAll(async () => {
  const loaded = renameModel(await loadServerlessModel({ stage: 'oceanus', localShards: 2 }), Math.random().toString(36).slice(2, 8));
  model = {
    ...loaded,
    streams: loaded.streams.filter((stream) => stream.logicalId === 'OceanusStream'),
    tables: loaded.tables.filter((table) => table.logicalId === 'WriterTable'),
    functions: loaded.functions
      .filter((fn) => fn.key === 'oceanusWriter')
      .map((fn) => ({ ...fn, environment: { ...fn.environment, ROLLOVER_INTERVAL_SECONDS: '4', SWEEP_QUIET_SECONDS: '0' }, streamEvents: fn.streamEvents.map((event) => ({ ...event, batchWindowSeconds: 0 })) })),
  };
  await createResources(model, clients);
}, 60_000);

afterAll(async () => {
  await Promise.all([
    ...model.streams.map((stream) => clients.kinesis.send(new DeleteStreamCommand({ StreamName: stream.name }))),
    ...model.tables.map((table) => clients.dynamodb.send(new DeleteTableCommand({ TableName: table.name }))),
  ]);
});

describe('Writer: the Oceanus example', () => {
  it('writes datagen rows into one partition per f_sequence, invisible until rolled, each marked _SUCCESS a second after its commit', async () => {
    const fn = model.functions[0];
    expect(fn?.environment).toMatchObject({ PREFIX: 'data/oceanus/f_sequence=!{field:f_sequence}/', FORMAT: 'json', FILE_SIZE_MIB: '128', PARTITION_COMMIT_TRIGGER: 'process-time', PARTITION_COMMIT_DELAY_SECONDS: '1' });
    const bucket = model.buckets[0]?.name as string;
    const work = mkdtempSync(join(tmpdir(), 'eddy-oceanus-'));
    const trigger = await startTrigger({ model, stateDir: join(work, 'state'), logDir: join(work, 'logs'), pollIntervalMs: 50, discoveryIntervalMs: 100, scheduleIntervalMs: 300 });
    try {
      const schema = parseDatagenSchema(JSON.parse(readFileSync('docs/recipes/oceanus-datagen.json', 'utf8')));
      const rows = [...datagenRows(schema, { seed: 7 })];
      expect(rows.map((row) => row.f_sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      async function* lines(): AsyncGenerator<SourceLine> {
        let line = 0;
        for (const row of rows) yield { line: ++line, row, text: JSON.stringify(row) };
      }
      const stream = model.streams[0]?.name as string;
      await produceRecords(lines(), new KinesisRecordSink(clients.kinesis, stream), { partitionKey: createPartitionKeyFn({ mode: 'random', seed: 3 }) });
      await trigger.drain();
      // Staged, not committed: a reader of data/oceanus/ sees nothing yet.
      const early = await listObjects(clients.s3, bucket, 'data/oceanus/');
      expect([...early.keys()].filter(isCommittedKey)).toEqual([]);
      let objects = early;
      for (let waited = 0; [...objects.keys()].filter((key) => key.endsWith('_SUCCESS')).length < 10; waited += 250) {
        if (waited > 20_000) throw new Error(`markers after 20 s: ${[...objects.keys()].join(', ')}`);
        await sleep(250);
        objects = await listObjects(clients.s3, bucket, 'data/oceanus/');
      }
      const files = [...objects].filter(([key]) => isCommittedKey(key));
      const written = files.flatMap(([key, bytes]) => linesOf(key, bytes).map((record) => ({ key, record })));
      expect(written.map(({ record }) => record.f_sequence).sort((a, b) => Number(a) - Number(b))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      for (const { key, record } of written) {
        expect(key.startsWith(`data/oceanus/f_sequence=${String(record.f_sequence)}/part-`)).toBe(true);
        expect(record.f_random).toBeGreaterThanOrEqual(1);
        expect(record.f_random).toBeLessThanOrEqual(100);
        expect(record.f_random_str).toMatch(/^[0-9a-f]{10}$/);
      }
    } finally {
      await trigger.stop();
    }
  }, 90_000);
});
