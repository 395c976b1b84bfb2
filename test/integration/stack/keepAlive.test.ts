import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { EMULATOR_KEEP_ALIVE_MS } from '../../../local/stack/emulators.js';
import { useTestStack } from '../../helpers/stack.js';

const env = useTestStack();

/** The `Keep-Alive` header a GET to `endpoint` is answered with (its idle timeout), whatever the status. */
function keepAliveOf(endpoint: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: 'GET', headers: { Connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.headers['keep-alive'])));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Local stack: idle connections', () => {
  it('keeps idle keep-alive connections for minutes, not Node’s 5 s that races the SDK’s socket reuse', async () => {
    const expected = `timeout=${EMULATOR_KEEP_ALIVE_MS / 1000}`;
    expect(await keepAliveOf(env.AWS_ENDPOINT_URL_KINESIS as string)).toBe(expected);
    expect(await keepAliveOf(env.AWS_ENDPOINT_URL_S3 as string)).toBe(expected);
  });
});
