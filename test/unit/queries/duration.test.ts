import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors.js';
import { msToInterval, parseDuration, toInterval } from '../../../shared/queries/duration.js';

describe('Queries: duration', () => {
  it.each([
    ['5 s', 5_000],
    ['30 min', 1_800_000],
    ['1 h', 3_600_000],
    ['24 h', 86_400_000],
    ['1 d', 86_400_000],
    ['2h', 7_200_000],
  ])('parses %s to %d ms', (text, ms) => {
    expect(parseDuration(text).ms).toBe(ms);
  });

  it.each(['', '1', 'h', '1.5 h', '-1 h', '0 s', '1 hour', '1 ms', '1 H'])('rejects %j naming the field', (text) => {
    expect(() => parseDuration(text, 'window.size')).toThrow(ConfigError);
    expect(() => parseDuration(text, 'window.size')).toThrow(/^window\.size: /);
  });

  it('rejects a number instead of a string', () => {
    expect(() => parseDuration(3600, 'window.size')).toThrow("window.size: expected a duration such as '1 h', got number 3600");
  });

  it('renders intervals in the unit the author wrote', () => {
    expect(toInterval(parseDuration('24 h'))).toBe("INTERVAL '24' HOUR");
    expect(toInterval(parseDuration('30 min'))).toBe("INTERVAL '30' MINUTE");
  });

  it('renders milliseconds in the largest whole unit', () => {
    expect(msToInterval(5_000)).toBe("INTERVAL '5' SECOND");
    expect(msToInterval(7_200_000)).toBe("INTERVAL '2' HOUR");
    expect(msToInterval(500)).toBe("INTERVAL '0.5' SECOND");
  });
});
