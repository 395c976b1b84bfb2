import { createHash } from 'node:crypto';

/**
 * kinesalite's sequence-number and hash-key arithmetic on native `BigInt` instead of
 * `bignumber.js`. kinesalite converts every sequence number between hex and decimal with
 * BigNumber's base conversion, once or twice per record put and per GetRecords: a fifth of the
 * emulator's CPU in an `eddy run`. These functions give the same results for every input
 * kinesalite itself produces (decimal sequence numbers, integer or decimal-string indexes) and
 * hand anything else to the original, so its errors stay the same.
 */

/** kinesalite's parsed sequence number (`db.parseSequence`). */
export interface SequenceParts {
  shardCreateTime: number;
  seqIx?: string | number;
  byte1?: string;
  seqTime?: number;
  seqRand?: string;
  shardIx: number;
  version: number | null;
}

/** The part of kinesalite's `db` module these replace. */
export interface KinesaliteSequenceFunctions {
  parseSequence(seq: string): SequenceParts;
  stringifySequence(parts: Partial<SequenceParts>): string;
  incrementSequence(seq: string | SequenceParts, seqTime?: number): string;
  partitionKeyToHashKey(partitionKey: string): { comparedTo(other: unknown): number };
}

const POW_2_124 = 2n ** 124n;
const POW_2_124_NEXT = 2n ** 125n * 16n;
const POW_2_185 = 2n ** 185n;
const POW_2_185_NEXT = (2n ** 185n * 3n) / 2n;
const DECIMAL = /^\d+$/;
const HEX = /^[0-9a-f]+$/;

const shardIxToHex = (shardIx: number | undefined): string => ('0000000' + (shardIx || 0).toString(16)).slice(-8);
const pad = (text: string, width: number): string => text.padStart(width, '0').slice(-width);
const secondsHex = (millis: number): string => pad(Math.floor(millis / 1000).toString(16), 9);

/** A sequence index as BigInt, or `undefined` for a form left to the original (fractions, exponents). */
function indexOf(seqIx: unknown): bigint | undefined {
  if (seqIx === undefined || seqIx === null || seqIx === 0 || seqIx === '' || seqIx === false) return 0n;
  if (typeof seqIx === 'number') return Number.isSafeInteger(seqIx) && seqIx >= 0 ? BigInt(seqIx) : undefined;
  return typeof seqIx === 'string' && DECIMAL.test(seqIx) ? BigInt(seqIx) : undefined;
}

/** The decimal form of a hex digit string, or `undefined` when it is not one (a negative shard index). */
const hexToDecimal = (hex: string): string | undefined => (HEX.test(hex) ? BigInt('0x' + hex).toString() : undefined);

/** Wraps kinesalite's functions with BigInt versions that fall back on them for unusual input. */
export function fastSequences(original: KinesaliteSequenceFunctions): KinesaliteSequenceFunctions {
  const parseSequence = (seq: string): SequenceParts => {
    if (typeof seq !== 'string' || !DECIMAL.test(seq)) return original.parseSequence(seq);
    let seqNum = BigInt(seq);
    if (seqNum < POW_2_124) seqNum += POW_2_124;
    const hex = seqNum.toString(16);
    const version = seqNum < POW_2_124_NEXT ? 0 : seqNum > POW_2_185 && seqNum < POW_2_185_NEXT ? parseInt(hex.slice(hex.length - 1), 16) : null;
    // Versions kinesalite rejects or rarely writes (1) keep its own code and messages.
    if (version !== 2) return original.parseSequence(seq);
    const seqIxHex = hex.slice(11, 27);
    let shardIxHex = hex.slice(38, 46);
    if (parseInt(seqIxHex[0] ?? '0', 16) > 7) return original.parseSequence(seq);
    if (parseInt(shardIxHex[0] ?? '0', 16) > 7) shardIxHex = '-' + shardIxHex;
    const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) return original.parseSequence(seq);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      seqIx: BigInt('0x' + seqIxHex).toString(),
      byte1: hex.slice(27, 29),
      seqTime: parseInt(hex.slice(29, 38), 16) * 1000,
      shardIx: parseInt(shardIxHex, 16),
      version,
    };
  };

  const stringifySequence = (parts: Partial<SequenceParts>): string => {
    const seqIx = indexOf(parts.seqIx);
    if ((parts.version != null && parts.version !== 2) || seqIx === undefined || typeof parts.shardCreateTime !== 'number') return original.stringifySequence(parts);
    const hex = [
      '2',
      secondsHex(parts.shardCreateTime),
      (parts.shardIx || 0).toString(16).slice(-1),
      pad(seqIx.toString(16), 16),
      parts.byte1 || '00',
      secondsHex(parts.seqTime || parts.shardCreateTime),
      shardIxToHex(parts.shardIx),
      '2',
    ].join('');
    return hexToDecimal(hex) ?? original.stringifySequence(parts);
  };

  const partitionKeyToHashKey = (partitionKey: string): { comparedTo(other: unknown): number } => {
    const value = BigInt('0x' + createHash('md5').update(partitionKey, 'utf8').digest('hex'));
    return {
      comparedTo: (other: unknown): number => {
        const against = typeof other === 'bigint' ? other : typeof other === 'number' || (typeof other === 'string' && DECIMAL.test(other)) ? BigInt(other) : undefined;
        // Shard hash ranges are decimal strings; anything else is compared the original way.
        if (against === undefined) return original.partitionKeyToHashKey(partitionKey).comparedTo(other);
        return value < against ? -1 : value > against ? 1 : 0;
      },
    };
  };

  const incrementSequence = (seq: string | SequenceParts, seqTime?: number): string => {
    const parts = typeof seq === 'string' ? parseSequence(seq) : seq;
    return stringifySequence({ shardCreateTime: parts.shardCreateTime, seqIx: parts.seqIx, seqTime: seqTime || (parts.seqTime ?? NaN) + 1000, shardIx: parts.shardIx });
  };

  return { parseSequence, stringifySequence, incrementSequence, partitionKeyToHashKey };
}
