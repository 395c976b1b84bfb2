import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../shared/errors.js';
import { buildServerlessModel, type BuildOptions, type ServerlessModel } from './serverlessModel.js';

/** Options of {@link loadServerlessModel}. */
export interface LoadOptions extends BuildOptions {
  /** Stage passed to `serverless print --stage`. @default 'dev' */
  readonly stage?: string;
  /** Project root holding serverless.yml. @default process.cwd() */
  readonly cwd?: string;
  /** Where the printed configuration is cached. @default `<cwd>/.eddy/cache` */
  readonly cacheDir?: string;
}

/**
 * Runs `serverless print --format json` (osls, offline, no credentials) and builds the local
 * model from it. The printed JSON is cached by the hash of serverless.yml, the stage and the
 * `EDDY_*`/`SLS_*` environment, since a print takes about 4 s.
 */
export async function loadServerlessModel(options: LoadOptions = {}): Promise<ServerlessModel> {
  return buildServerlessModel(await printServerless(options), options);
}

/** The parsed output of `serverless print --format json`, cached. */
export async function printServerless(options: LoadOptions = {}): Promise<unknown> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const stage = options.stage ?? 'dev';
  const yml = await readFile(join(cwd, 'serverless.yml'), 'utf8').catch((error: unknown) => {
    throw new ConfigError('serverless.yml', `cannot read it in ${cwd}`, { cause: error });
  });
  const envKey = Object.entries(process.env)
    .filter(([name]) => name.startsWith('EDDY_') || name.startsWith('SLS_'))
    .sort()
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
  const hash = createHash('sha256').update(yml).update(stage).update(envKey).digest('hex').slice(0, 16);
  const cacheDir = options.cacheDir ?? join(cwd, '.eddy', 'cache');
  const cacheFile = join(cacheDir, `serverless-print-${stage}-${hash}.json`);
  const cached = await readFile(cacheFile, 'utf8').catch(() => undefined);
  if (cached) return JSON.parse(cached) as unknown;
  const json = await runPrint(cwd, stage);
  await mkdir(cacheDir, { recursive: true });
  await writeFile(cacheFile, json);
  return JSON.parse(json) as unknown;
}

function runPrint(cwd: string, stage: string): Promise<string> {
  const bin = join(cwd, 'node_modules', '.bin', 'serverless');
  return new Promise((resolvePrint, reject) => {
    const child = spawn(bin, ['print', '--format', 'json', '--stage', stage], { cwd, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new ConfigError('serverless', `cannot run ${bin}: ${error.message}`, { cause: error })));
    child.on('close', (code) => {
      if (code === 0) resolvePrint(Buffer.concat(out).toString('utf8'));
      else reject(new ConfigError('serverless.yml', `serverless print failed (exit ${code}):\n${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}
