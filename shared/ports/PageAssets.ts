/** One static file of the dashboard page. */
export interface PageAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** Where the built dashboard page is read from (`index.html`, `app.js`, `style.css`). */
export interface PageAssets {
  /** The file named `name` (a bare file name, no folders), or undefined when there is none. */
  get(name: string): Promise<PageAsset | undefined>;
}
