/**
 * Builds the dashboard page into a folder a server can serve as is: `index.html`, `style.css`
 * and `app.js`, the page's TypeScript bundled with Chart.js for the browser. Nothing is fetched
 * from a CDN at run time, so the page works offline on a laptop as on API Gateway.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

/** The dashboard page's sources: `index.html`, `style.css`, `src/main.ts`, `tsconfig.json`. */
export const DASHBOARD_SOURCE_DIR = join(import.meta.dirname, '../../dashboard');

/** The files a built page consists of, as `index.html` references them (relatively). */
export const DASHBOARD_FILES = ['index.html', 'style.css', 'app.js'] as const;

/**
 * Bundles `dashboard/src/main.ts` into `outDir/app.js` (browser, ES modules, ES2022, minified,
 * no source map) and copies `index.html` and `style.css` beside it.
 * @param outDir - the folder to write to; created if missing, same-named files overwritten
 * @returns the absolute paths of the files written, in {@link DASHBOARD_FILES} order, and their total size in bytes
 */
export async function buildDashboardPage(outDir: string): Promise<{ files: string[]; bytes: number }> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(DASHBOARD_SOURCE_DIR, 'src/main.ts')],
    outfile: join(outDir, 'app.js'),
    tsconfig: join(DASHBOARD_SOURCE_DIR, 'tsconfig.json'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    write: true,
    logLevel: 'silent',
  });
  await copyFile(join(DASHBOARD_SOURCE_DIR, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(DASHBOARD_SOURCE_DIR, 'style.css'), join(outDir, 'style.css'));
  const files = DASHBOARD_FILES.map((name) => join(outDir, name));
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  return { files, bytes: sizes.reduce((sum, size) => sum + size, 0) };
}
