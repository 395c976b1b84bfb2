// `npm start` measured from the outside: (1) event-to-dashboard latency, p50/p99: the page's API
// is polled every 100 ms while the demo replays; a KPI sample is the wall time the KPI line first
// shows a record's event time minus the time the producer sent that record (its `event_time`,
// read back from the lake); an hourly-window sample is the time a window first shows on the
// hourly chart minus the time the producer sent the first record past its end plus the 5 s
// out-of-orderness (the record whose watermark fires it); (2) peak memory (RSS) of the whole local
// stack: the demo process, its trigger workers, the stack daemon and its emulators (DynamoDB
// Local's JVM, kinesalite, s3rver), summed every second; (3) the demo's wall-clock phases.
// Run: npx tsx bench/demo.ts [--speed N] [--rows N --from YYYY-MM-DD --to YYYY-MM-DD]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../local/stack/emulators.js';
import { stackDown, useLocalStack } from '../local/stack/manage.js';
import { readStackState } from '../local/stack/stackState.js';
import { createS3Client } from '../shared/adapters/clients.js';
import { eventTimeOf } from '../shared/aggregate/eventTime.js';
import type { DashboardView } from '../shared/dashboard/view.js';
import { queryLake } from '../shared/lake/queryLake.js';
import { sleep } from '../shared/retry.js';
import { textOption } from './lib/options.js';

const extra = ['speed', 'rows', 'from', 'to'].flatMap((name) => {
  const value = textOption(name);
  return value === undefined ? [] : [`--${name}`, value];
});
const HOUR = 3_600_000;
const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** RSS (bytes) of a process and all its descendants, from /proc. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      rss.set(Number(entry), Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while being read.
    }
  }
  const walk = (pid: number): number => (rss.get(pid) ?? 0) + (children.get(pid) ?? []).reduce((sum, child) => sum + walk(child), 0);
  return walk(root);
}

const stateDir = mkdtempSync(join(tmpdir(), 'eddy-bench-demo-'));
process.env.EDDY_STATE_DIR = stateDir;
const apiKey = 'bench-key-0123456789abcdef';
const port = await freePort();
const ports = ['--kinesis-port', String(await freePort()), '--dynamodb-port', String(await freePort()), '--s3-port', String(await freePort())];
const started = Date.now();
const child = spawn(process.execPath, ['bin/eddy.js', 'demo', '--fresh', '--exit', '--keep', '--port', String(port), '--api-key', apiKey, ...ports, ...extra], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
child.stderr.on('data', (chunk: Buffer) => {
  output += chunk.toString('utf8');
  const line = chunk.toString('utf8').trim().split('\n').at(-1) ?? '';
  if (line.startsWith('④')) process.stderr.write(`\r${line.slice(0, 110)}`);
});
const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

const kpiSeen = new Map<string, number>();
const hourSeen = new Map<string, number>();
let peakRss = 0;
let filledAt: number | undefined;
let lastMemory = 0;
while (child.exitCode === null) {
  const now = Date.now();
  if (now - lastMemory >= 1000) {
    lastMemory = now;
    const daemon = (await readStackState())?.pid;
    peakRss = Math.max(peakRss, treeRss(child.pid as number) + (daemon === undefined ? 0 : treeRss(daemon)));
  }
  if (output.includes('dashboard: ')) {
    const view = await fetch(`http://127.0.0.1:${port}/api/dashboard`, { headers: { 'x-api-key': apiKey } })
      .then((response) => (response.ok ? (response.json() as Promise<DashboardView>) : undefined))
      .catch(() => undefined);
    const seenAt = Date.now();
    if (view?.kpi.lastTransaction && !kpiSeen.has(view.kpi.lastTransaction)) kpiSeen.set(view.kpi.lastTransaction, seenAt);
    const latest = view?.hourly.latest;
    if (latest) latest.sales.forEach((sales, hour) => sales !== null && !hourSeen.has(`${latest.day}T${String(hour).padStart(2, '0')}:00:00`) && hourSeen.set(`${latest.day}T${String(hour).padStart(2, '0')}:00:00`, seenAt));
    const filled = view !== undefined && view.kpi.lastTransaction !== null && view.hourly.latest !== null && view.daily.length > 0 && view.divisions.length > 0 && view.top3.length > 0 && view.cumulative.points.length > 0;
    if (filled && filledAt === undefined) filledAt = seenAt;
  }
  await sleep(100);
}
const code = await exited;
const total = Date.now() - started;
process.stderr.write('\n');
try {
  if (code !== 0) throw new Error(`eddy demo exited ${code}:\n${output.slice(-3000)}`);
  await useLocalStack();
  const bucket = /eddy-\w+-data/.exec(output)?.[0] ?? 'eddy-dev-data';
  const lake = await queryLake(createS3Client(), bucket, 'SELECT tr_datetime, min(event_time) AS sent FROM transaction_order GROUP BY tr_datetime ORDER BY tr_datetime');
  const sent = lake.rows.map((row) => ({ at: eventTimeOf(String(row.tr_datetime)) as number, sent: (eventTimeOf(String(row.sent)) as number) }));
  const sentOf = new Map(sent.map((row) => [row.at, row.sent]));
  const kpi = [...kpiSeen].flatMap(([last, seenAt]) => {
    const at = sentOf.get(eventTimeOf(last) as number);
    return at === undefined ? [] : [seenAt - at];
  });
  // The first record sent past a window's end + 5 s fires it: `sent` is in event-time order.
  const hourly = [...hourSeen].flatMap(([start, seenAt]) => {
    const firing = sent.find((row) => row.at >= (eventTimeOf(start) as number) + HOUR + 5_000);
    return firing === undefined ? [] : [seenAt - firing.sent];
  });
  const drained = /⑤ streams drained and every window fired ([\d.]+) s/.exec(output)?.[1];
  console.log(`demo bench: eddy demo ${extra.join(' ') || '(defaults: 94,498 rows at 60,000×)'}, Node ${process.version}`);
  console.log(`   wall clock: ${seconds(total)} in all; all six charts filled ${filledAt === undefined ? 'never' : seconds(filledAt - started)} after the start; drained ${drained ?? '?'} s after the last record`);
  console.log(`   event → dashboard KPI line:     p50 ${seconds(quantile(kpi, 0.5))}, p99 ${seconds(quantile(kpi, 0.99))}, max ${seconds(Math.max(...kpi))} (${kpi.length} samples, polled every 100 ms)`);
  console.log(`   event → hourly window on chart: p50 ${seconds(quantile(hourly, 0.5))}, p99 ${seconds(quantile(hourly, 0.99))}, max ${seconds(Math.max(...hourly))} (${hourly.length} windows)`);
  console.log(`   peak memory of the whole local stack (RSS, sampled every second): ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
} finally {
  await stackDown();
  rmSync(stateDir, { recursive: true, force: true });
}
