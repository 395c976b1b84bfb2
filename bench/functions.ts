// Each function of serverless.yml as it deploys: (1) its package size (the zip `serverless
// package` builds: esbuild, CommonJS, the SDK bundled) and its bundle's size; (2) its cold start
// on this machine, as the time from a fresh `node` process starting to the handler module being
// loaded and initialized (clients built, config read), against a bare `node -e ''` in the same
// run (the runtime's own start, which Lambda does before the init phase). Median of N starts.
// Lambda's init adds its own sandbox start; the ratio to the bare start is what compares.
// Run: npx tsx bench/functions.ts [--starts N]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadServerlessModel } from '../local/loadServerlessModel.js';
import { numberOption } from './lib/options.js';

const STARTS = numberOption('starts', 7);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

/** Milliseconds from process start to the end of `code`, measured inside the child (no spawn cost). */
function startMillis(code: string, env: NodeJS.ProcessEnv): number {
  const result = spawnSync(process.execPath, ['-e', `${code};process.stdout.write(String(performance.now()))`], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`start failed: ${result.stderr}`);
  return Number(result.stdout.trim().split('\n').at(-1));
}

const out = mkdtempSync(join(tmpdir(), 'eddy-bench-package-'));
try {
  const packaged = performance.now();
  execFileSync('node_modules/.bin/serverless', ['package', '--stage', 'bench', '--package', out], { env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' }, stdio: 'ignore' });
  console.log(`functions bench: serverless package in ${((performance.now() - packaged) / 1000).toFixed(1)} s, ${STARTS} cold starts each, Node ${process.version}`);
  const model = await loadServerlessModel({ stage: 'bench' });
  const bare = median(Array.from({ length: STARTS }, () => startMillis('', process.env)));
  console.log(`   bare node start: ${bare.toFixed(0)} ms (the baseline)`);
  console.log('   function        zip        bundle     cold start (median)   × bare');
  for (const fn of model.functions) {
    const zip = statSync(join(out, `${fn.key}.zip`)).size;
    const file = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
    const unpacked = join(out, fn.key);
    execFileSync('unzip', ['-q', '-o', join(out, `${fn.key}.zip`), '-d', unpacked]);
    const bundle = join(unpacked, `${file}.cjs`);
    const bytes = statSync(bundle).size;
    // The function's own environment (resolved), with the region and placeholder credentials: init builds clients, it sends nothing.
    const env = { ...process.env, ...fn.environment, AWS_REGION: model.region, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const millis = median(Array.from({ length: STARTS }, () => startMillis(`require(${JSON.stringify(bundle)})`, env)));
    console.log(`   ${fn.key.padEnd(15)} ${kib(zip).padStart(9)}  ${kib(bytes).padStart(9)}  ${`${millis.toFixed(0)} ms`.padStart(12)}           ${(millis / bare).toFixed(2)}×`);
  }
  // The page the dashboard function serves, as the browser downloads it.
  const page = ['index.html', 'app.js', 'style.css'].map((name) => statSync(join('dashboard', 'dist', name)).size);
  const gzipped = gzipSync(readFileSync(join('dashboard', 'dist', 'app.js'))).length;
  console.log(`   dashboard page: ${kib(page.reduce((a, b) => a + b, 0))} (app.js ${kib(page[1] as number)} with Chart.js; ${kib(gzipped)} gzipped, as API Gateway sends it)`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
