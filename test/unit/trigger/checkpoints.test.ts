import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../local/trigger/checkpoints.js';

const arn = 'arn:aws:kinesis:ap-northeast-2:000000000000:stream/raw';

describe('Trigger: checkpoints', () => {
  it('persists positions and reads them back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eddy-cp-'));
    const store = await CheckpointStore.open(dir, 'fn', arn, 1000);
    store.set('shardId-000000000000', { sequenceNumber: '42' });
    store.set('shardId-000000000001', { sequenceNumber: '7', finished: true });
    await store.flush();
    const again = await CheckpointStore.open(dir, 'fn', arn, 1000);
    expect(again.all()).toEqual({ 'shardId-000000000000': { sequenceNumber: '42' }, 'shardId-000000000001': { sequenceNumber: '7', finished: true } });
    // Written via a temp file renamed over: no temp file is left behind.
    expect(await readdir(join(dir, 'checkpoints'))).toEqual(['fn__raw.json']);
  });

  it('starts over when the stream was recreated under the same name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eddy-cp-'));
    const store = await CheckpointStore.open(dir, 'fn', arn, 1000);
    store.set('shardId-000000000000', { sequenceNumber: '42' });
    await store.flush();
    expect((await CheckpointStore.open(dir, 'fn', arn, 2000)).get('shardId-000000000000')).toBeUndefined();
  });
});
