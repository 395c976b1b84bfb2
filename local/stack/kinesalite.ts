import { createRequire } from 'node:module';
import type kinesaliteFactory from 'kinesalite';
import { fastSequences, type KinesaliteSequenceFunctions } from './kinesaliteSequences.js';

/** kinesalite's internal action signature (`actions/*.js`). */
type Action = (store: KinesaliteStore, data: Record<string, unknown>, cb: (error: unknown, result?: unknown) => void) => void;
interface KinesaliteStore {
  getStreamDb(name: string): { createReadStream(options: { gt: string; lt: string }): NodeJS.ReadableStream & { destroy(): void } };
}
interface KinesaliteDb extends KinesaliteSequenceFunctions {
  resolveShardId(shardId: string): { shardIx: number };
  shardIxToHex(shardIx: number): string;
}

const FIXED = Symbol.for('eddy.kinesalite.atTimestamp');
const FAST = Symbol.for('eddy.kinesalite.bigint');

/**
 * Loads kinesalite with its sequence arithmetic on BigInt (see `fastSequences`: its actions call
 * these through the `db` module's exports, so replacing them there reaches every action), and with GetShardIterator `AT_TIMESTAMP` answering as Kinesis does when no record
 * of the shard arrived at or after the time: an iterator at the tip. kinesalite 3.3 never
 * answers that request (its scan for the first such record has no end case), so a reader that
 * starts at a time on a quiet shard, as dedupe's look at the clean stream does, would hang.
 * The fix is installed in kinesalite's module cache before its server loads its actions; it
 * rewrites such a request to `LATEST` and leaves every other request alone.
 */
export function loadKinesalite(): typeof kinesaliteFactory {
  const require = createRequire(import.meta.url);
  const db = require('kinesalite/db') as KinesaliteDb & { [FAST]?: true };
  if (!db[FAST]) {
    Object.assign(db, fastSequences({ parseSequence: db.parseSequence, stringifySequence: db.stringifySequence, incrementSequence: db.incrementSequence, partitionKeyToHashKey: db.partitionKeyToHashKey }));
    db[FAST] = true;
  }
  const actionPath = require.resolve('kinesalite/actions/getShardIterator.js');
  const original = require(actionPath) as Action & { [FIXED]?: true };
  const cached = require.cache[actionPath];
  if (cached && !original[FIXED]) {
    const fixed: Action & { [FIXED]?: true } = (store, data, cb) => {
      const timestamp = data.Timestamp;
      if (data.ShardIteratorType !== 'AT_TIMESTAMP' || typeof timestamp !== 'number' || timestamp * 1000 > Date.now()) return original(store, data, cb);
      let shardIx: number;
      try {
        shardIx = db.resolveShardId(String(data.ShardId)).shardIx;
      } catch {
        return original(store, data, cb);
      }
      const records = store.getStreamDb(String(data.StreamName)).createReadStream({ gt: db.shardIxToHex(shardIx), lt: db.shardIxToHex(shardIx + 1) });
      let settled = false;
      const settle = (found: boolean): void => {
        if (settled) return;
        settled = true;
        if (found) records.destroy();
        original(store, found ? data : { ...data, ShardIteratorType: 'LATEST', Timestamp: undefined }, cb);
      };
      records.on('data', (item: { value: { ApproximateArrivalTimestamp: number } }) => {
        if (item.value.ApproximateArrivalTimestamp >= timestamp) settle(true);
      });
      records.on('end', () => settle(false));
      // A missing stream: the original action reports it the way kinesalite always does.
      records.on('error', () => settle(false));
    };
    fixed[FIXED] = true;
    cached.exports = fixed;
  }
  return require('kinesalite') as typeof kinesaliteFactory;
}
