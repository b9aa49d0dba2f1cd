/**
 * A small RFC 4180 reader for the CSV files the app uploads (no CSV parser is installed): quoted
 * fields with "" escapes and line breaks inside, a leading UTF-8 byte order mark dropped.
 * Returns the header and the rows as objects keyed by it.
 */
export function parseCsv(text: string): { header: string[]; rows: Record<string, string>[]; cells: string[][] } {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && body[i + 1] === '\n')) {
      if (c === '\r') i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header = [], ...cells] = records;
  for (const row of cells) if (row.length !== header.length) throw new Error(`row has ${row.length} fields, header ${header.length}: ${JSON.stringify(row)}`);
  return { header, cells, rows: cells.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]!]))) };
}
