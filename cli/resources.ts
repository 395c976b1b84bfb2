import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ConfigError } from '../shared/errors.js';
import { loadServerlessModel } from '../local/loadServerlessModel.js';

/**
 * The deployed name of a stream or table declared in serverless.yml, by logical id (e.g.
 * `RawStream` → `eddy-dev-raw`), so the CLIs write where the functions read.
 * @param kind - `streams` or `tables`
 * @param logicalId - the CloudFormation logical id
 * @param stage - the serverless stage
 */
export async function resourceName(kind: 'streams' | 'tables', logicalId: string, stage: string): Promise<string> {
  const model = await loadServerlessModel({ stage });
  const found = model[kind].find((resource) => resource.logicalId === logicalId);
  if (!found) throw new ConfigError('serverless.yml', `no ${kind === 'streams' ? 'stream' : 'table'} with logical id ${logicalId} in stage ${stage}`);
  return found.name;
}

/**
 * The lines of a file, or of stdin when `path` is undefined or `-` (CRLF or LF, breaks removed).
 * Reading starts at the first `next()`: readline emits lines as soon as it exists, and lines
 * emitted before anyone iterates are lost, so nothing is opened while the caller still awaits
 * other set-up.
 * @param path - the file
 * @throws ConfigError when reading stdin from a terminal (nothing was piped)
 */
export function readLines(path: string | undefined, flag = '--file'): AsyncIterable<string> {
  const stdin = path === undefined || path === '-';
  if (stdin && process.stdin.isTTY) throw new ConfigError(flag, 'no input: give a file, or pipe lines to stdin');
  return (async function* lines(): AsyncGenerator<string> {
    const file = stdin
      ? undefined
      : await open(path).catch((error: unknown) => {
          throw new ConfigError(flag, `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        });
    yield* createInterface({ input: file ? file.createReadStream() : process.stdin, crlfDelay: Infinity });
  })();
}
