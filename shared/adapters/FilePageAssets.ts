import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { PageAsset, PageAssets } from '../ports/PageAssets.js';

/** Content types of the files a built page holds: text only, as API Gateway passes bodies as text without binary media types. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
};

/** A bare file name: no folder, no `..`, no hidden file. */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * The built dashboard page from a folder (`dashboard/dist` in the Lambda package, the demo's
 * build folder locally), each file found read once and kept: a warm Lambda serves it from memory.
 */
export class FilePageAssets implements PageAssets {
  private readonly cache = new Map<string, Promise<PageAsset | undefined>>();

  public constructor(private readonly dir: string) {}

  public get(name: string): Promise<PageAsset | undefined> {
    const contentType = CONTENT_TYPES[extname(name)];
    if (!SAFE_NAME.test(name) || contentType === undefined) return Promise.resolve(undefined);
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    // Only files found are kept: a miss or a failed read is tried again next time, and unknown names cannot grow the cache.
    const found = readFile(join(this.dir, name)).then(
      (body) => ({ body, contentType }),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      },
    );
    void found.then(
      (asset) => asset !== undefined && this.cache.set(name, found),
      () => undefined,
    );
    return found;
  }
}
