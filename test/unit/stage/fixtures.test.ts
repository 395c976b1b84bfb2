import { readFileSync } from 'node:fs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { validateRawTransaction } from '../../../shared/schema/rawTransaction.js';
import { decodeBatch } from '../../../shared/stage/decode.js';

const fixture = (name: string): KinesisStreamEvent => JSON.parse(readFileSync(new URL(`../../../events/${name}.json`, import.meta.url), 'utf8')) as KinesisStreamEvent;

describe('Fixtures: recorded Kinesis events (events/)', () => {
  it('holds every field Lambda delivers, on every record', () => {
    for (const name of ['enrich-sample', 'enrich-bad-records', 'enrich-kpl']) {
      for (const record of fixture(name).Records) {
        expect(record).toMatchObject({ eventSource: 'aws:kinesis', eventVersion: '1.0', eventName: 'aws:kinesis:record', awsRegion: 'ap-northeast-2' });
        expect(record.eventID).toBe(`${record.eventID.split(':')[0]}:${record.kinesis.sequenceNumber}`);
        expect(record.eventSourceARN).toMatch(/^arn:aws:kinesis:ap-northeast-2:\d{12}:stream\/eddy-dev-raw$/);
        expect(record.kinesis.kinesisSchemaVersion).toBe('1.0');
        expect(record.kinesis.sequenceNumber).toMatch(/^\d{20,56}$/);
        expect(record.kinesis.approximateArrivalTimestamp).toBeGreaterThan(1_600_000_000);
        expect(record.invokeIdentityArn).toMatch(/^arn:aws:iam::/);
      }
    }
  });

  it('decodes the 89 real sample records, all valid', () => {
    const { decoded, rejected } = decodeBatch(fixture('enrich-sample').Records, 'enrich', validateRawTransaction, 65_536);
    expect(rejected).toEqual([]);
    expect(decoded).toHaveLength(89);
    expect(decoded.every(({ value }) => value.pk && value.event_time)).toBe(true);
  });

  it('decodes the KPL-aggregated fixture into the same 89 records', () => {
    const plain = decodeBatch(fixture('enrich-sample').Records, 'enrich', validateRawTransaction, 65_536).decoded.map(({ value }) => value.pk);
    const { decoded, rejected } = decodeBatch(fixture('enrich-kpl').Records, 'enrich', validateRawTransaction, 65_536);
    expect(rejected).toEqual([]);
    expect(decoded.map(({ value }) => value.pk).sort()).toEqual([...plain].sort());
    expect(decoded.map(({ origin }) => origin.sub)).toEqual(decoded.map((_, i) => i));
  });

  it('rejects exactly the bad records of the bad-records fixture, each with its reason', () => {
    const { decoded, rejected } = decodeBatch(fixture('enrich-bad-records').Records, 'enrich', validateRawTransaction, 65_536);
    expect(decoded.map(({ value }) => value.receipt_num)).toEqual(['8325', '8326', '5483']);
    expect(rejected.map((doc) => doc.errorCode)).toEqual(['schema_violation', 'schema_violation', 'not_json', 'not_json', 'schema_violation']);
  });
});
