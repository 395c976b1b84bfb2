import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/eddy.js', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

const COMMANDS = ['stack', 'dev', 'products', 'generate', 'datagen', 'produce', 'watermark', 'results', 'query', 'athena-ddl', 'stats', 'record', 'replay', 'demo'];

describe('CLI: eddy', () => {
  it('lists every command', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    for (const name of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('prints --help for every command, with its options', async () => {
    const results = await Promise.all(COMMANDS.map((name) => run(name, '--help')));
    results.forEach(({ code, stdout }, i) => {
      expect(code, COMMANDS[i]).toBe(0);
      expect(stdout).toContain(`eddy ${COMMANDS[i]}`);
      expect(stdout).toContain('Options:');
      expect(stdout).toContain('--help');
    });
  });

  it('stops on an unknown command or flag with a message naming it', async () => {
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const flag = await run('generate', '--rowz', '3');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--rowz');
    const value = await run('stack', 'up', '--kinesis-port', 'abc');
    expect(value.code).toBe(2);
    expect(value.stderr).toContain("--kinesis-port: expected an integer");
  });
});
