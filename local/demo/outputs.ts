import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { listKeys } from '../../shared/adapters/listKeys.js';
import { userRecordsOf } from '../../shared/kpl.js';

/**
 * Calls `visit` with every record's data currently on a stream (all shards, from the trim
 * horizon); a KPL-aggregated record is visited as each of its user records. Answers how many.
 */
export async function scanStream(kinesis: KinesisClient, streamName: string, visit: (data: Uint8Array) => void): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }));
    for (const shard of page.Shards ?? []) {
      let { ShardIterator: iterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      while (iterator) {
        const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        for (const record of out.Records ?? []) {
          for (const sub of userRecordsOf(record)) {
            visit(sub.data);
            count += 1;
          }
        }
        if ((out.Records ?? []).length === 0 && (out.MillisBehindLatest ?? 0) === 0) break;
        iterator = out.NextShardIterator;
      }
    }
    token = page.NextToken;
  } while (token);
  return count;
}

/** Counts the objects under a prefix, grouped by the path segment that follows `groupAfter` levels. */
export async function countObjects(s3: S3Client, bucket: string, prefix: string, group: (key: string) => string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const key of await listKeys(s3, bucket, prefix)) counts.set(group(key), (counts.get(group(key)) ?? 0) + 1);
  return counts;
}

/** A horizontal bar chart in text, largest first. */
export function barChart(rows: readonly (readonly [string, number])[], options: { width?: number; unit?: string } = {}): string {
  const width = options.width ?? 40;
  const sorted = [...rows].sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...sorted.map(([, value]) => value));
  const label = Math.max(...sorted.map(([name]) => displayWidth(name)));
  return sorted
    .map(([name, value]) => `  ${name}${' '.repeat(label - displayWidth(name))} ${'█'.repeat(Math.max(value > 0 ? 1 : 0, Math.round((value / max) * width)))} ${value.toLocaleString('en-US')}${options.unit ?? ''}`)
    .join('\n');
}

/** Terminal columns of a string: Hangul and other wide characters take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(char) ? 2 : 1;
  return width;
}
