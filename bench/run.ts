// `eddy run` end to end, as a user runs it: N runs of `eddy run --transactions FILE --export DIR`
// on the 94,498-row generated file (goal: under 120 s each). For each run it prints the wall time,
// its phases as `eddy run` reports them, and the CPU-seconds every process used (from /proc: the
// `eddy` process with its function workers, DynamoDB Local's JVM, the stack daemon with kinesalite
// and s3rver). The machine's speed moves these figures by a third from one day to the next, so a
// fixed JavaScript loop (base64 → JSON → JSON over the file's rows) is timed in this process before
// and after every run, and each run is also given as a multiple of it.
// Run: npx tsx bench/run.ts [--runs N] [--transactions FILE]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberOption, textOption } from './lib/options.js';

const GOAL_SECONDS = 120;
const runs = numberOption('runs', 3);
const work = mkdtempSync(join(tmpdir(), 'eddy-bench-run-'));
const TICKS = 100; // USER_HZ: /proc's CPU times are in hundredths of a second on Linux.

/** Runs the `eddy` CLI to the end; rejects with its output's tail when it exits non-zero. */
function eddy(args: string[], onLine: (line: string) => void = () => {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/eddy.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split(/[\r\n]/)) if (line.trim() !== '') onLine(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`eddy ${args[0]} exited ${code}:\n${output.slice(-3000)}`))));
  });
}

/** CPU ticks (user + system) and the command line of every process, from /proc. */
function processTimes(): Map<number, { command: string; ticks: number }> {
  const times = new Map<number, { command: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ').at(-1)?.split(' ') ?? [];
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      times.set(Number(entry), { command, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while being read.
    }
  }
  return times;
}

/** Which part of the local stack a process is, by its command line. */
const groupOf = (command: string): string =>
  command.includes('DynamoDBLocal') ? 'DynamoDB Local' : command.includes('daemon.ts') ? 'stack daemon' : command.includes('bin/eddy.js') ? 'eddy + workers' : 'other';

/** Busy CPU ticks of the whole machine, from /proc/stat. */
function machineTicks(): number {
  const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).map(Number);
  return user! + nice! + system! + irq! + softirq!;
}

/** Seconds a fixed JavaScript loop over the file's rows takes: this machine's speed right now. */
function calibrate(lines: string[]): number {
  const encoded = lines.map((line) => Buffer.from(line).toString('base64'));
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    let bytes = 0;
    for (const data of encoded) bytes += JSON.stringify(JSON.parse(Buffer.from(data, 'base64').toString('utf8'))).length;
    if (bytes === 0) throw new Error('the calibration loop read nothing');
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}

/** One `eddy run`, with per-process CPU sampled every second (a process's last sample counts). */
async function measuredRun(file: string, run: number): Promise<{ wall: number; cpu: number; groups: Map<string, number>; phases: string }> {
  const before = processTimes();
  const last = new Map<number, { command: string; ticks: number }>();
  // An exiting process (a zombie) has no command line any more: it keeps the one it had.
  const sample = (): void => processTimes().forEach((time, pid) => last.set(pid, time.command === '' ? { command: last.get(pid)?.command ?? '', ticks: time.ticks } : time));
  const timer = setInterval(sample, 1000);
  const busy = machineTicks();
  const started = performance.now();
  const output = await eddy(['run', '--transactions', file, '--export', join(work, `export-${run}`)], (line) => {
    if (/^[①-⑦]/.test(line)) process.stderr.write(`\r\x1b[K   run ${run}: ${line.slice(0, 100)}`);
  }).finally(() => clearInterval(timer));
  const wall = (performance.now() - started) / 1000;
  const cpu = (machineTicks() - busy) / TICKS;
  process.stderr.write('\r\x1b[K');
  const groups = new Map<string, number>();
  for (const [pid, { command, ticks }] of last) {
    const spent = ticks - (before.get(pid)?.command === command ? before.get(pid)!.ticks : 0);
    if (spent > 0) groups.set(groupOf(command), (groups.get(groupOf(command)) ?? 0) + spent / TICKS);
  }
  // The producer reports as it goes: its last line has the whole file's time.
  const seconds = (pattern: RegExp): string => [...output.matchAll(pattern)].at(-1)?.[1] ?? '?';
  const phases = `stack up ${seconds(/① stack up in ([\d.]+) s/g)} s · produced in ${seconds(/④ produce .* ([\d.]+) s$/gm)} s · drained ${seconds(/⑤ streams drained and every window fired ([\d.]+) s/g)} s after`;
  rmSync(join(work, `export-${run}`), { recursive: true, force: true });
  return { wall, cpu, groups, phases };
}

try {
  const file = textOption('transactions') ?? join(work, 'transactions.jsonl');
  if (textOption('transactions') === undefined) await eddy(['generate', '--format', 'jsonl', '--out', file]);
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
  console.log(`eddy run bench: ${lines.length.toLocaleString('en-US')} rows from ${file}, ${runs} runs, Node ${process.version}`);
  const walls: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const before = calibrate(lines);
    const { wall, cpu, groups, phases } = await measuredRun(file, run);
    const after = calibrate(lines);
    walls.push(wall);
    const split = [...groups].filter(([group]) => group !== 'other').map(([group, spent]) => `${group} ${spent.toFixed(0)}`).join(', ');
    console.log(`run ${run}: ${wall.toFixed(1)} s ${wall < GOAL_SECONDS ? '✓' : '✗'} (${Math.round(lines.length / wall).toLocaleString('en-US')} records/s; ${phases})`);
    console.log(`       CPU ${cpu.toFixed(0)} s on the machine: ${split}`);
    console.log(`       calibration loop ${(before * 1000).toFixed(0)} ms before, ${(after * 1000).toFixed(0)} ms after: the run took ${Math.round((2 * wall) / (before + after)).toLocaleString('en-US')}× it`);
  }
  const sorted = [...walls].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const under = walls.filter((wall) => wall < GOAL_SECONDS).length;
  console.log(`median ${median.toFixed(1)} s, range ${sorted[0]!.toFixed(1)}–${sorted.at(-1)!.toFixed(1)} s; ${under} of ${walls.length} under the goal of ${GOAL_SECONDS} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
