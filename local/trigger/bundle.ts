import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * Bundles a handler module as Lambda runs it after `serverless package` (serverless-esbuild:
 * one CommonJS file), into `dir`. A worker then loads one file instead of resolving every
 * TypeScript module through the tsx loader, which made a cold start take seconds (and miss
 * Lambda's 10-second init limit on a busy 2-core machine). The AWS SDK and smithy stay
 * external, loaded from node_modules as CommonJS, so the fault hooks (which patch smithy's
 * `Client` from node_modules) see the handler's clients.
 * @returns the bundle's path
 */
export function bundleHandler(path: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${basename(path).replace(/\.[cm]?[jt]s$/, '')}.cjs`);
  buildSync({
    entryPoints: [path],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['@aws-sdk/*', '@smithy/*'],
    logLevel: 'error',
  });
  return outfile;
}
