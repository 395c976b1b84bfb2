/**
 * `shared/dashboard/view.ts`, imported here for its types only, reaches server modules
 * (`shared/aggregate/*`) that use Node's `Buffer`. This declares just the part of it they use,
 * so the page is type-checked without loading all of `@types/node` into browser code. Nothing
 * under `dashboard/src` may call it: the bundle runs in a browser, where it does not exist.
 */
declare const Buffer: {
  from(data: string | readonly number[], encoding?: 'utf8' | 'latin1'): Uint8Array & { toString(encoding?: 'utf8' | 'latin1'): string };
};
