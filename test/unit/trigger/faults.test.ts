import { describe, expect, it } from 'vitest';
import { faultsFor, parseFaults, splitFaults, type FaultSpec } from '../../../local/trigger/faults.js';

describe('Trigger: faults', () => {
  const faults: FaultSpec[] = [
    { kind: 'crash', operation: 'PutRecords', invocation: 1 },
    { kind: 'throttle', operation: 'PutItem', function: 'other' },
    { kind: 'deliverTwice', function: 'enrich', invocation: 2 },
  ];

  it('scopes faults to a function and an invocation', () => {
    const fn = { key: 'enrich', name: 'eddy-dev-enrich' };
    expect(faultsFor(faults, fn, 1).map((fault) => fault.kind)).toEqual(['crash']);
    expect(faultsFor(faults, fn, 2).map((fault) => fault.kind)).toEqual(['deliverTwice']);
    expect(splitFaults(faultsFor(faults, fn, 2))).toEqual({ worker: [], deliverTwice: true });
  });

  it('parses JSON faults and names a bad entry', () => {
    expect(parseFaults(JSON.stringify(faults), '--faults')).toEqual(faults);
    expect(() => parseFaults('[{"kind":"explode"}]', '--faults')).toThrow(/--faults\[0\]\.kind/);
    expect(() => parseFaults('[{"kind":"throttle"}]', '--faults')).toThrow(/operation/);
    expect(() => parseFaults('{', 'EDDY_FAULTS')).toThrow(/EDDY_FAULTS/);
  });
});
