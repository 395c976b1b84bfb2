import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { withoutRequestLogger } from '../../../local/stack/emulators.js';

type App = { middleware: ((...args: unknown[]) => unknown)[] };
const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as new (options: Record<string, unknown>) => App;

describe('Local stack: the S3 emulator without its request logger', () => {
  it("drops koa-logger and keeps s3rver's own middleware, in order", () => {
    const app = new S3rver({ silent: true, directory: '/nonexistent' });
    const names = app.middleware.map((fn) => fn.name);
    expect(names).toContain('logger');
    withoutRequestLogger(app);
    expect(app.middleware.map((fn) => fn.name)).toEqual(names.filter((name) => name !== 'logger'));
    expect(app.middleware.length).toBe(names.length - 1);
  });
});
