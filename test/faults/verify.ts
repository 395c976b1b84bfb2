import type { ErrorDocument } from '../../shared/ports/ErrorSink.js';
import type { EnrichedTransaction, Product } from '../../shared/types.js';
import { identityOf, type ScheduleInput } from './input.js';
import type { Observation } from './runSchedule.js';
import type { Schedule } from './schedule.js';

/** What the checks found. */
export interface Verdict {
  /** Every violated expectation, one line each; empty when the run is correct. */
  readonly problems: readonly string[];
  /** Keys on the clean stream more than once (each one is a problem). */
  readonly repeatedKeys: number;
  /** Records beyond the first of those keys. */
  readonly extraCopies: number;
  /** Sales (`mount`) summed over every clean record, as a consumer that does not dedupe again sums them. */
  readonly total: number;
}

const ENRICHED_FROM_ROW = ['tr_date', 'store_cd', 'store_name', 'pos_num', 'receipt_num', 'product_cd', 'qty', 'mount'] as const;
const ENRICHED_FROM_PRODUCT = ['division_cd', 'division_name', 'maincategory_cd', 'subcategory_cd', 'product_name'] as const;

const sample = (items: readonly string[], max = 5): string => `${items.slice(0, max).join(', ')}${items.length > max ? ` … (${items.length} in all)` : ''}`;

/**
 * Compares what came out with what the input alone says must come out: the clean stream holds
 * each valid primary key, nothing else, each exactly once whatever the faults (so that summing
 * every clean record gives the input's sales), with the input's values joined to the right
 * product; the error output holds each bad record once with its reason, and nothing else; the
 * on-failure destination holds nothing.
 * @param products - the product dimension from data/products.csv, by `product_cd`
 */
export function verify(schedule: Schedule, input: ScheduleInput, observed: Observation, products: ReadonlyMap<string, Product>): Verdict {
  const problems: string[] = [];

  const copies = new Map<string, Buffer[]>();
  const unreadable: string[] = [];
  for (const data of observed.clean) {
    let pk: string | undefined;
    try {
      const json = JSON.parse(data.toString('utf8')) as { pk?: string; eddy_control?: string };
      // Watermarks travel with the records (docs/aggregation.md): not records themselves.
      if (json.eddy_control !== undefined) continue;
      pk = json.pk;
    } catch {
      // counted below
    }
    if (pk === undefined) unreadable.push(data.toString('utf8').slice(0, 80));
    else copies.set(pk, [...(copies.get(pk) ?? []), data]);
  }
  if (unreadable.length > 0) problems.push(`clean stream: ${unreadable.length} records without a pk: ${sample(unreadable)}`);
  const missing = [...input.valid.keys()].filter((pk) => !copies.has(pk));
  if (missing.length > 0) problems.push(`clean stream: ${missing.length} valid keys lost: ${sample(missing)}`);
  const added = [...copies.keys()].filter((pk) => !input.valid.has(pk));
  if (added.length > 0) problems.push(`clean stream: ${added.length} keys that are not valid input rows: ${sample(added)}`);

  let extraCopies = 0;
  let total = 0;
  const repeated: string[] = [];
  const wrongValues: string[] = [];
  for (const [pk, records] of copies) {
    const first = records[0] as Buffer;
    const value = JSON.parse(first.toString('utf8')) as EnrichedTransaction;
    for (const record of records) total += (JSON.parse(record.toString('utf8')) as EnrichedTransaction).mount;
    if (records.length > 1) {
      repeated.push(`${pk} ×${records.length}${records.every((record) => record.equals(first)) ? ' (identical)' : ' (different records)'}`);
      extraCopies += records.length - 1;
    }
    const row = input.valid.get(pk);
    const product = products.get(value.product_cd);
    if (!row) continue;
    const bad = ENRICHED_FROM_ROW.filter((field) => value[field] !== row[field]).map((field) => `${field} ${JSON.stringify(value[field])}≠${JSON.stringify(row[field])}`);
    if (value.tr_datetime !== row.tr_datetime.replace(' ', 'T')) bad.push(`tr_datetime ${value.tr_datetime}`);
    if (!product) bad.push(`product ${value.product_cd} not in products.csv`);
    else bad.push(...ENRICHED_FROM_PRODUCT.filter((field) => value[field] !== product[field]).map((field) => `${field} ${JSON.stringify(value[field])}≠${JSON.stringify(product[field])}`));
    if (bad.length > 0) wrongValues.push(`${pk}: ${bad.join(', ')}`);
  }
  if (repeated.length > 0) problems.push(`clean stream: ${repeated.length} keys more than once (${extraCopies} extra records): ${sample(repeated)}`);
  if (wrongValues.length > 0) problems.push(`clean stream: ${wrongValues.length} records differ from their input row or product: ${sample(wrongValues, 3)}`);
  const expectedTotal = [...input.valid.values()].reduce((sum, row) => sum + row.mount, 0);
  if (Math.abs(total - expectedTotal) > 1e-6) problems.push(`sales summed over every clean record: ${total}, expected ${expectedTotal} from the input`);

  const seen = new Map<string, ErrorDocument[]>();
  const malformed: string[] = [];
  for (const { key, body } of observed.errorObjects) {
    let document: ErrorDocument;
    try {
      document = JSON.parse(body) as ErrorDocument;
    } catch {
      malformed.push(key);
      continue;
    }
    const identity = identityOf(Buffer.from(document.rawData, 'base64').toString('utf8'));
    seen.set(identity, [...(seen.get(identity) ?? []), document]);
  }
  if (malformed.length > 0) problems.push(`error output: ${malformed.length} objects are not JSON: ${sample(malformed)}`);
  for (const [identity, expected] of input.errors) {
    const documents = seen.get(identity) ?? [];
    if (documents.length === 0) problems.push(`error output: bad record lost (${expected.reason}): ${identity}`);
    else if (documents.length > 1) problems.push(`error output: bad record ${identity} written ${documents.length} times (${documents.map((d) => `${d.stage}@${d.source.shard}/${d.source.seq}${d.source.sub === undefined ? '' : `/${d.source.sub}`}`).join(', ')})`);
    for (const document of documents) {
      if (document.errorCode !== expected.reason || document.stage !== 'enrich') problems.push(`error output: ${identity} has ${document.stage}/${document.errorCode}, expected enrich/${expected.reason}`);
    }
  }
  const unexpected = [...seen.keys()].filter((identity) => !input.errors.has(identity));
  if (unexpected.length > 0) problems.push(`error output: ${unexpected.length} records that are not bad input records: ${sample(unexpected.map((identity) => `${identity} (${seen.get(identity)?.map((d) => `${d.stage}/${d.errorCode}`).join(', ')})`))}`);

  if (observed.failureRecords.length > 0) {
    problems.push(
      `on-failure destination: ${observed.failureRecords.length} batches discarded: ${observed.failureRecords.map((f) => `${f.function} ${f.shardId} ${f.record.requestContext.condition} ×${f.record.KinesisBatchInfo.batchSize}`).join('; ')}`,
    );
  }
  if (observed.otherObjects.length > 0) problems.push(`bucket: ${observed.otherObjects.length} objects outside the error prefix: ${sample(observed.otherObjects)}`);
  if (schedule.reshard && !observed.resharded) problems.push('the scheduled reshard did not happen');
  return { problems, repeatedKeys: repeated.length, extraCopies, total };
}
