/** A benchmark's `--name value` option as text, or undefined when not given. */
export const textOption = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};

/** A benchmark's numeric `--name N` option, or `fallback` when not given. */
export const numberOption = (name: string, fallback: number): number => {
  const text = textOption(name);
  return text === undefined ? fallback : Number(text);
};
