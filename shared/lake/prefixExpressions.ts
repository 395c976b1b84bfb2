/**
 * Object key prefixes written with Firehose's custom-prefix expressions
 * (https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html) plus eddy's own:
 *
 * - `!{timestamp:<pattern>}`: the arrival (processing) time, UTC, as Firehose does;
 * - `!{event_time:<pattern>}`: the record's zone-less event time (`tr_datetime` by default), on
 *   the UTC-aligned axis of `aggregate/eventTime.ts`;
 * - `!{firehose:error-output-type}`, `!{firehose:random-string}`: as Firehose;
 * - `!{field:<name>}`: a top-level field of the record, escaped as Hive and Flink escape
 *   partition values (Oceanus' `PARTITIONED BY`).
 *
 * Templates are parsed once, at load, so that a bad one fails the deployment with a
 * {@link ConfigError} rather than a batch at run time; rendering is then pure and deterministic.
 */
import { createHash } from 'node:crypto';
import { eventTimeOf } from '../aggregate/eventTime.js';
import { ConfigError, PipelineError } from '../errors.js';
import { ERROR_PREFIX, RAW_PREFIX, SUMMARY_PREFIX } from './layout.js';

/** The record field `!{event_time:…}` reads when the caller gives no event time. */
export const DEFAULT_EVENT_TIME_FIELD = 'tr_datetime';

/** The partition value of a null, missing or empty field, as Hive writes it (Flink's `partition.default-name`). */
export const DEFAULT_PARTITION_NAME = '__HIVE_DEFAULT_PARTITION__';

/** Longest template accepted: Firehose's `Prefix` limit, and S3's key limit (1,024 bytes). */
export const MAX_PREFIX_LENGTH = 1024;

/** Length of `!{firehose:random-string}`, as Firehose's. */
export const RANDOM_STRING_LENGTH = 11;

/** Raw records by event hour: the layout's `RAW_PREFIX` + `partitionPath(ms, 'hour')`. */
export const RAW_PREFIX_TEMPLATE = `${RAW_PREFIX}year=!{event_time:yyyy}/month=!{event_time:MM}/day=!{event_time:dd}/hour=!{event_time:HH}/`;

/** Error output by arrival hour (UTC) then error-output-type, as `S3ErrorSink` writes it. */
export const ERROR_PREFIX_TEMPLATE = `${ERROR_PREFIX}year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/!{firehose:error-output-type}/`;

/** The Oceanus example: one partition per `f_sequence`. */
export const OCEANUS_PREFIX_TEMPLATE = 'data/oceanus/f_sequence=!{field:f_sequence}/';

/**
 * One query's results by the day of `window_start` (passed as the event time).
 * @param query - the query name, a folder under `SUMMARY_PREFIX`
 */
export const summaryPrefixTemplate = (query: string): string =>
  `${SUMMARY_PREFIX}${query}/year=!{event_time:yyyy}/month=!{event_time:MM}/day=!{event_time:dd}/`;

/** A date-time field a pattern may use, and how to print it from a UTC date. */
const TIME_FIELDS = {
  yyyy: (d: Date) => String(d.getUTCFullYear()).padStart(4, '0'),
  MM: (d: Date) => pad(d.getUTCMonth() + 1),
  dd: (d: Date) => pad(d.getUTCDate()),
  HH: (d: Date) => pad(d.getUTCHours()),
  mm: (d: Date) => pad(d.getUTCMinutes()),
  ss: (d: Date) => pad(d.getUTCSeconds()),
} as const;

/** A date-time field of a pattern. */
export type TimeField = keyof typeof TIME_FIELDS;

/** Which clock a time expression reads. */
export type TimeSource = 'timestamp' | 'event_time';

/** One piece of a parsed template, in order. Time patterns are flattened into literals and fields. */
export type PrefixPiece =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'time'; readonly source: TimeSource; readonly field: TimeField }
  | { readonly kind: 'error-output-type' }
  | { readonly kind: 'random-string' }
  | { readonly kind: 'field'; readonly name: string };

/** A validated template, ready for {@link renderPrefix}. */
export interface PrefixTemplate {
  /** The template as written. */
  readonly source: string;
  readonly pieces: readonly PrefixPiece[];
  /** The Hive partition keys, in path order (see {@link prefixPartitions}). */
  readonly partitions: readonly string[];
}

/** Options of {@link parsePrefix}. */
export interface ParsePrefixOptions {
  /** The template names where errors are written: only then is `!{firehose:error-output-type}` allowed (and required once expressions are used). @default false */
  readonly errorOutput?: boolean;
}

/** What {@link renderPrefix} needs; the same context always gives the same key. */
export interface PrefixContext {
  /** Arrival time, epoch ms (Firehose: the oldest record's in the object) for `!{timestamp:…}`. */
  readonly arrivalMs: number;
  /** Event time on the zone-less axis for `!{event_time:…}`; else read from the record's `tr_datetime`. */
  readonly eventTimeMs?: number;
  /** The record, for `!{field:…}` (and the event time when `eventTimeMs` is absent). */
  readonly record?: Record<string, unknown>;
  /** For `!{firehose:error-output-type}`, e.g. `errorOutputType('late')`. */
  readonly errorOutputType?: string;
  /** For `!{firehose:random-string}`: derive it with {@link deterministicRandomString} so retries rewrite the same key. */
  readonly randomString?: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PATTERN_SEPARATORS = new Set(['-', '/', '_', '.', '=']);
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses and validates a prefix template.
 * @param template - e.g. {@link RAW_PREFIX_TEMPLATE}
 * @param key - the configuration key the template came from, named in errors
 * @param options - see {@link ParsePrefixOptions}
 * @throws ConfigError naming `key` and the offending expression
 */
export function parsePrefix(template: string, key = 'prefix', options: ParsePrefixOptions = {}): PrefixTemplate {
  const fail = (message: string): never => {
    throw new ConfigError(key, `${message} in prefix "${template}"`);
  };
  if (template.length > MAX_PREFIX_LENGTH) fail(`longer than ${MAX_PREFIX_LENGTH} characters`);
  if (template.startsWith('/')) fail('must not start with "/" (S3 keys have no leading slash)');
  if (CONTROL.test(template)) fail('contains a control character');
  const pieces: PrefixPiece[] = [];
  let expressions = 0;
  let errorTypes = 0;
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('!{', at);
    if (open === -1) {
      pieces.push({ kind: 'literal', text: template.slice(at) });
      break;
    }
    if (open > at) pieces.push({ kind: 'literal', text: template.slice(at, open) });
    const close = template.indexOf('}', open);
    const nested = template.indexOf('!{', open + 2);
    if (close === -1) fail(`unterminated expression "${template.slice(open)}"`);
    if (nested !== -1 && nested < close) fail(`nested or unterminated expression "${template.slice(open, close + 1)}"`);
    const expression = template.slice(open, close + 1);
    const piece = parseExpression(expression, options, fail);
    if (piece.length === 1 && piece[0]?.kind === 'error-output-type') errorTypes += 1;
    pieces.push(...piece);
    expressions += 1;
    at = close + 1;
  }
  // Firehose: an error prefix with expressions must separate the error types.
  if (options.errorOutput === true && expressions > 0 && errorTypes === 0) fail('an error prefix with expressions must contain "!{firehose:error-output-type}"');
  const partitions = partitionsOf(pieces);
  const duplicate = partitions.find((name, i) => partitions.indexOf(name) !== i);
  if (duplicate !== undefined) fail(`partition "${duplicate}" appears twice`);
  return { source: template, pieces: mergeLiterals(pieces), partitions };
}

/** The pieces of one `!{namespace:value}` expression. */
function parseExpression(expression: string, options: ParsePrefixOptions, fail: (message: string) => never): PrefixPiece[] {
  const body = expression.slice(2, -1);
  const colon = body.indexOf(':');
  if (colon === -1) return fail(`malformed expression "${expression}" (expected !{namespace:value})`);
  const namespace = body.slice(0, colon);
  const value = body.slice(colon + 1);
  if (namespace === 'timestamp' || namespace === 'event_time') return parsePattern(namespace, value, expression, fail);
  if (namespace === 'firehose') {
    if (value === 'random-string') return [{ kind: 'random-string' }];
    if (value !== 'error-output-type') return fail(`unknown firehose value in "${expression}" (supported: error-output-type, random-string)`);
    if (options.errorOutput !== true) return fail(`"${expression}" is only allowed in an error output prefix`);
    return [{ kind: 'error-output-type' }];
  }
  if (namespace === 'field') {
    if (!FIELD_NAME.test(value)) return fail(`invalid field name in "${expression}" (a top-level field: letters, digits, _)`);
    return [{ kind: 'field', name: value }];
  }
  const hint = namespace.startsWith('partitionKeyFrom') ? ' (dynamic partitioning is not supported: use !{field:<name>})' : '';
  return fail(`unknown namespace "${namespace}" in "${expression}"${hint} (supported: timestamp, event_time, firehose, field)`);
}

/** A Java DateTimeFormatter subset: yyyy MM dd HH mm ss, 'quoted text' ('' is a quote), and - / _ . = */
function parsePattern(source: TimeSource, pattern: string, expression: string, fail: (message: string) => never): PrefixPiece[] {
  if (pattern === '') return fail(`empty date-time pattern in "${expression}"`);
  const pieces: PrefixPiece[] = [];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern.charAt(i);
    if (char === "'") {
      if (pattern[i + 1] === "'") {
        pieces.push({ kind: 'literal', text: "'" });
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end === -1) return fail(`unterminated quoted text in "${expression}"`);
      pieces.push({ kind: 'literal', text: pattern.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    if (PATTERN_SEPARATORS.has(char)) {
      pieces.push({ kind: 'literal', text: char });
      i += 1;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === char) run += 1;
    const field = pattern.slice(i, i + run);
    if (!(field in TIME_FIELDS)) {
      return fail(`unsupported pattern letters "${field}" in "${expression}" (supported: yyyy, MM, dd, HH, mm, ss, 'text', - / _ . =)`);
    }
    pieces.push({ kind: 'time', source, field: field as TimeField });
    i += run;
  }
  return pieces;
}

function mergeLiterals(pieces: readonly PrefixPiece[]): PrefixPiece[] {
  const merged: PrefixPiece[] = [];
  for (const piece of pieces) {
    const last = merged.at(-1);
    if (piece.kind === 'literal' && last?.kind === 'literal') merged[merged.length - 1] = { kind: 'literal', text: last.text + piece.text };
    else if (piece.kind !== 'literal' || piece.text !== '') merged.push(piece);
  }
  return merged;
}

/** Path segments whose name is literal text and whose value holds at least one expression. */
function partitionsOf(pieces: readonly PrefixPiece[]): string[] {
  const names: string[] = [];
  let segment = '';
  let dynamic = false;
  const flush = (): void => {
    const eq = segment.indexOf('=');
    const name = segment.slice(0, eq);
    if (dynamic && eq > 0 && FIELD_NAME.test(name)) names.push(name);
    segment = '';
    dynamic = false;
  };
  for (const piece of pieces) {
    if (piece.kind !== 'literal') {
      // A placeholder that can hold neither '/' nor '=' (values are escaped).
      segment += '\u0000';
      dynamic = dynamic || segment.includes('=');
      continue;
    }
    for (const char of piece.text) {
      if (char === '/') flush();
      else segment += char;
    }
  }
  flush();
  return names;
}

/**
 * The Hive-style partition keys a template produces, in path order: `year=!{…}` gives `year`.
 * A segment counts when its name is literal text (a Hive column name) and its value holds an
 * expression; a fully literal `x=1` is part of the table's location instead.
 */
export const prefixPartitions = (template: PrefixTemplate): readonly string[] => template.partitions;

/**
 * Escapes a partition value as Hive's `FileUtils.escapePathName` and Flink's
 * `PartitionPathUtils.escapePathName` do (`%XX`), so `/` never splits a value into folders and
 * Athena reads the value back; control characters are escaped too. `.` and `..` alone are
 * escaped as well, as some S3 clients normalise them away. Null, missing and empty values
 * become {@link DEFAULT_PARTITION_NAME}; objects and arrays are JSON-encoded, then escaped.
 * @param value - the field's value
 */
export function escapePartitionValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return DEFAULT_PARTITION_NAME;
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text === '.' || text === '..') return text.replaceAll('.', '%2E');
  return text.replace(/[\u0000-\u001f\u007f"#%'*/:=?\\{[\]^]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const needed = (what: string, template: PrefixTemplate): never => {
  throw new PipelineError(`prefix "${template.source}" needs ${what} to render`);
};

/**
 * Renders a parsed template to a key prefix. Deterministic: the same context gives the same
 * prefix, so a retried write lands on the same key.
 * @param template - from {@link parsePrefix}
 * @param context - see {@link PrefixContext}
 * @throws PipelineError when the context lacks a value the template uses (a caller's bug)
 */
export function renderPrefix(template: PrefixTemplate, context: PrefixContext): string {
  let arrival: Date | undefined;
  let event: Date | undefined;
  const eventDate = (): Date => {
    if (event !== undefined) return event;
    const raw = context.record?.[DEFAULT_EVENT_TIME_FIELD];
    const ms = context.eventTimeMs ?? (typeof raw === 'string' ? eventTimeOf(raw) : undefined);
    event = new Date(ms ?? needed('an event time', template));
    return event;
  };
  const render: { [K in PrefixPiece['kind']]: (piece: Extract<PrefixPiece, { kind: K }>) => string } = {
    literal: (piece) => piece.text,
    time: (piece) => TIME_FIELDS[piece.field](piece.source === 'timestamp' ? (arrival ??= new Date(context.arrivalMs)) : eventDate()),
    'error-output-type': () => escapePartitionValue(context.errorOutputType ?? needed('an errorOutputType', template)),
    'random-string': () => context.randomString ?? needed('a randomString', template),
    field: (piece) => escapePartitionValue((context.record ?? needed('a record', template))[piece.name]),
  };
  return template.pieces.map((piece) => (render[piece.kind] as (p: PrefixPiece) => string)(piece)).join('');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An 11-character [A-Za-z0-9] string derived from a seed, standing in for Firehose's random
 * string: seeded by a file's identity (stream, shard, first sequence number), a retried write
 * gets the same key and overwrites rather than duplicates.
 * @param seed - any text identifying the object
 */
export function deterministicRandomString(seed: string): string {
  // 96 bits of SHA-256 cover 62^11 (≈ 2^65.5) with negligible bias.
  let n = BigInt(`0x${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`);
  let out = '';
  for (let i = 0; i < RANDOM_STRING_LENGTH; i += 1) {
    out += ALPHABET[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}
