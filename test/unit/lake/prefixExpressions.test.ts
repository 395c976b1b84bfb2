import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorObjectKey } from '../../../shared/adapters/S3ErrorSink.js';
import { eventTimeOf } from '../../../shared/aggregate/eventTime.js';
import { errorOutputType } from '../../../shared/errorReasons.js';
import { ConfigError, PipelineError } from '../../../shared/errors.js';
import { ERROR_PREFIX, HOURLY_PARTITIONS, DAILY_PARTITIONS, partitionPath, RAW_PREFIX, SUMMARY_PREFIX } from '../../../shared/lake/layout.js';
import {
  DEFAULT_PARTITION_NAME,
  deterministicRandomString,
  ERROR_PREFIX_TEMPLATE,
  OCEANUS_PREFIX_TEMPLATE,
  parsePrefix,
  prefixPartitions,
  RAW_PREFIX_TEMPLATE,
  renderPrefix,
  summaryPrefixTemplate,
} from '../../../shared/lake/prefixExpressions.js';
import type { ErrorDocument } from '../../../shared/ports/ErrorSink.js';

const RUNS = { numRuns: 500, seed: 20150105 } as const;
const EVENT = eventTimeOf('2015-01-05T13:04:05') ?? Number.NaN;
const ARRIVAL = Date.UTC(2026, 10, 21, 8, 30, 59);

const rejection = (template: string, options?: { errorOutput?: boolean }): ConfigError => {
  try {
    parsePrefix(template, 'S3_PREFIX', options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`"${template}" was accepted`);
};

describe('Lake: prefix expressions', () => {
  describe('rendering', () => {
    it('renders !{timestamp:…} from the arrival time in UTC', () => {
      const template = parsePrefix("logs/!{timestamp:yyyy-MM-dd'T'HH.mm.ss}/");
      expect(renderPrefix(template, { arrivalMs: ARRIVAL })).toBe('logs/2026-11-21T08.30.59/');
    });

    it('renders !{event_time:…} from the given event time, not the arrival time', () => {
      const template = parsePrefix("dt=!{event_time:yyyy'-'MM'-'dd}/h=!{event_time:HH}/");
      expect(renderPrefix(template, { arrivalMs: ARRIVAL, eventTimeMs: EVENT })).toBe('dt=2015-01-05/h=13/');
    });

    it("reads the event time from the record's tr_datetime when none is given", () => {
      const template = parsePrefix('!{event_time:yyyy/MM/dd/HH/mm}/');
      expect(renderPrefix(template, { arrivalMs: ARRIVAL, record: { tr_datetime: '2015-01-05T13:04:05' } })).toBe('2015/01/05/13/04/');
    });

    it('renders quoted text, including a doubled quote', () => {
      const template = parsePrefix("!{timestamp:'year='yyyy''}/");
      expect(renderPrefix(template, { arrivalMs: ARRIVAL })).toBe("year=2026'/");
    });

    it('renders !{firehose:error-output-type} and !{firehose:random-string} from the context', () => {
      const template = parsePrefix('errors/!{firehose:error-output-type}/!{firehose:random-string}-', 'ERROR_PREFIX', { errorOutput: true });
      expect(renderPrefix(template, { arrivalMs: ARRIVAL, errorOutputType: errorOutputType('late'), randomString: 'AbC123xyz90' })).toBe('errors/late-data/AbC123xyz90-');
    });

    it('renders !{field:…} from a top-level field of the record', () => {
      const template = parsePrefix(OCEANUS_PREFIX_TEMPLATE);
      expect(renderPrefix(template, { arrivalMs: ARRIVAL, record: { f_sequence: 42 } })).toBe('data/oceanus/f_sequence=42/');
      expect(renderPrefix(template, { arrivalMs: ARRIVAL, record: { f_sequence: 'a-b_c' } })).toBe('data/oceanus/f_sequence=a-b_c/');
    });

    it('escapes / and control characters in a field value so it stays one folder', () => {
      const template = parsePrefix(OCEANUS_PREFIX_TEMPLATE);
      const render = (value: unknown): string => renderPrefix(template, { arrivalMs: ARRIVAL, record: { f_sequence: value } });
      expect(render('a/b')).toBe('data/oceanus/f_sequence=a%2Fb/');
      expect(render('x=1\n\u0000')).toBe('data/oceanus/f_sequence=x%3D1%0A%00/');
      expect(render('..')).toBe('data/oceanus/f_sequence=%2E%2E/');
      expect(render('100%')).toBe('data/oceanus/f_sequence=100%25/');
    });

    it('writes null, missing and empty field values to the Hive default partition', () => {
      const template = parsePrefix(OCEANUS_PREFIX_TEMPLATE);
      for (const record of [{}, { f_sequence: null }, { f_sequence: '' }]) {
        expect(renderPrefix(template, { arrivalMs: ARRIVAL, record })).toBe(`data/oceanus/f_sequence=${DEFAULT_PARTITION_NAME}/`);
      }
    });

    it('fails loudly when the context lacks a value the template uses', () => {
      expect(() => renderPrefix(parsePrefix(RAW_PREFIX_TEMPLATE), { arrivalMs: ARRIVAL })).toThrow(PipelineError);
      expect(() => renderPrefix(parsePrefix('!{firehose:random-string}/'), { arrivalMs: ARRIVAL })).toThrow(/randomString/);
      expect(() => renderPrefix(parsePrefix(OCEANUS_PREFIX_TEMPLATE), { arrivalMs: ARRIVAL })).toThrow(/record/);
    });
  });

  describe('defaults', () => {
    it('renders the raw prefix exactly as the layout partitions by event hour', () => {
      expect(renderPrefix(parsePrefix(RAW_PREFIX_TEMPLATE), { arrivalMs: ARRIVAL, eventTimeMs: EVENT })).toBe(`${RAW_PREFIX}${partitionPath(EVENT, 'hour')}`);
    });

    it('renders the summary prefix exactly as the layout partitions by day', () => {
      const rendered = renderPrefix(parsePrefix(summaryPrefixTemplate('sales_by_store')), { arrivalMs: ARRIVAL, eventTimeMs: EVENT });
      expect(rendered).toBe(`${SUMMARY_PREFIX}sales_by_store/${partitionPath(EVENT, 'day')}`);
    });

    it('renders the error prefix as the folder of the key S3ErrorSink writes', () => {
      const document: ErrorDocument = {
        stage: 'ingest',
        errorCode: 'late',
        errorOutputType: errorOutputType('late'),
        errorMessage: 'late',
        source: { stream: 's', shard: 'shardId-000000000000', seq: '4960', sub: 2 },
        partitionKey: 'k',
        arrivalTimestamp: ARRIVAL,
        rawData: '',
      };
      const key = errorObjectKey(ERROR_PREFIX, document);
      const rendered = renderPrefix(parsePrefix(ERROR_PREFIX_TEMPLATE, 'ERROR_PREFIX', { errorOutput: true }), { arrivalMs: ARRIVAL, errorOutputType: document.errorOutputType });
      expect(rendered).toBe(key.slice(0, key.lastIndexOf('/') + 1));
    });

    it('declares the layout partitions', () => {
      expect(prefixPartitions(parsePrefix(RAW_PREFIX_TEMPLATE))).toEqual(HOURLY_PARTITIONS);
      expect(prefixPartitions(parsePrefix(ERROR_PREFIX_TEMPLATE, 'e', { errorOutput: true }))).toEqual(HOURLY_PARTITIONS);
      expect(prefixPartitions(parsePrefix(summaryPrefixTemplate('q')))).toEqual(DAILY_PARTITIONS);
      expect(prefixPartitions(parsePrefix(OCEANUS_PREFIX_TEMPLATE))).toEqual(['f_sequence']);
    });

    it('finds partitions written inside a pattern, and skips literal ones', () => {
      expect(prefixPartitions(parsePrefix("v=1/!{timestamp:'dt='yyyy-MM-dd'/hh='HH}/!{firehose:random-string}/"))).toEqual(['dt', 'hh']);
    });
  });

  describe('validation', () => {
    it.each([
      ['/data/!{timestamp:yyyy}/', 'must not start with "/"'],
      ['data/!{timestamp:YYYY}/', '"YYYY"'],
      ['data/!{timestamp:yy}/', '"yy"'],
      ['data/!{timestamp:hh}/', '"hh"'],
      ['data/!{timestamp:yyyy MM}/', '" "'],
      ['data/!{timestamp:}/', '!{timestamp:}'],
      ["data/!{timestamp:'year=yyyy}/", 'unterminated quoted text'],
      ['data/!{timestamp:yyyy/', 'unterminated expression "!{timestamp:yyyy/"'],
      ['data/!{timestamp:!{event_time:HH}}/', 'nested or unterminated'],
      ['data/!{timestamp}/', '"!{timestamp}"'],
      ['data/!{}/', '"!{}"'],
      ['data/!{partitionKeyFromQuery:store}/', 'use !{field:<name>}'],
      ['data/!{nope:x}/', 'unknown namespace "nope"'],
      ['data/!{firehose:uuid}/', '"!{firehose:uuid}"'],
      ['data/!{firehose:error-output-type}/', 'only allowed in an error output prefix'],
      ['data/!{field:a.b}/', '"!{field:a.b}"'],
      ['data/!{field:}/', '"!{field:}"'],
      ['data/y=!{timestamp:yyyy}/y=!{event_time:yyyy}/', 'partition "y" appears twice'],
      ['data/\u0001/', 'control character'],
      [`data/${'x'.repeat(1024)}`, 'longer than 1024'],
    ])('rejects %j naming the key and the expression', (template, message) => {
      const error = rejection(template);
      expect(error.key).toBe('S3_PREFIX');
      expect(error.message).toContain('S3_PREFIX: ');
      expect(error.message).toContain(message);
    });

    it('requires !{firehose:error-output-type} in an error prefix that uses expressions', () => {
      expect(rejection('errors/!{timestamp:yyyy}/', { errorOutput: true }).message).toContain('must contain "!{firehose:error-output-type}"');
      expect(() => parsePrefix('errors/', 'e', { errorOutput: true })).not.toThrow();
    });

    it('accepts a template without expressions, and an empty one', () => {
      expect(renderPrefix(parsePrefix('plain/'), { arrivalMs: ARRIVAL })).toBe('plain/');
      expect(renderPrefix(parsePrefix(''), { arrivalMs: ARRIVAL })).toBe('');
    });
  });

  describe('deterministicRandomString', () => {
    it('gives the same 11 alphanumerics for the same seed and differs across seeds', () => {
      const a = deterministicRandomString('stream/shardId-000000000000/4960');
      expect(a).toMatch(/^[A-Za-z0-9]{11}$/);
      expect(deterministicRandomString('stream/shardId-000000000000/4960')).toBe(a);
      const many = new Set(Array.from({ length: 1000 }, (_, i) => deterministicRandomString(`seed-${i}`)));
      expect(many.size).toBe(1000);
      for (const value of many) expect(value).toMatch(/^[A-Za-z0-9]{11}$/);
    });
  });

  describe('property', () => {
    it('renders keys whose partitions parse back to the same year, month, day and hour', () => {
      const raw = parsePrefix(RAW_PREFIX_TEMPLATE);
      const errors = parsePrefix(ERROR_PREFIX_TEMPLATE, 'e', { errorOutput: true });
      const partitionsOf = (key: string): Record<string, number> =>
        Object.fromEntries([...key.matchAll(/(\w+)=(\d+)\//g)].map((match) => [match[1], Number(match[2])]));
      const axis = fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });
      fc.assert(
        fc.property(axis, axis, (eventTimeMs, arrivalMs) => {
          const event = new Date(eventTimeMs);
          const arrival = new Date(arrivalMs);
          const expected = (d: Date): Record<string, number> => ({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours() });
          const rawKey = renderPrefix(raw, { arrivalMs, eventTimeMs });
          const errorKey = renderPrefix(errors, { arrivalMs, errorOutputType: 'malformed' });
          expect(partitionsOf(rawKey)).toEqual(expected(event));
          expect(rawKey).toBe(`${RAW_PREFIX}${partitionPath(eventTimeMs, 'hour')}`);
          expect(partitionsOf(errorKey)).toEqual(expected(arrival));
        }),
        RUNS,
      );
    });
  });
});
