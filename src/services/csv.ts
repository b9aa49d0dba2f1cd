import { stringify } from 'csv-stringify/sync';

/**
 * CSV text for files people open in Excel, Google Sheets, LibreOffice or Numbers. Anything a
 * person typed (titles, topics, agendas, comments, skill names, cancel reasons) may start like a
 * formula; a spreadsheet would run it (OWASP "CSV injection"). Every text cell that could be read
 * as one gets a leading apostrophe, which spreadsheets show as text and never evaluate.
 */

export type CsvValue = string | number | boolean | null | undefined;

/**
 * Text a spreadsheet could take for a formula: it starts with = + - @ (or their full-width forms,
 * which Numbers folds), a tab or a line break, possibly after spaces (some imports trim them).
 * csv-stringify's escape_formulas covers the first character only; this also covers the rest.
 */
const FORMULA_LIKE = /^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;

/** `text` as a spreadsheet will show it, never run it. */
export function neutraliseFormula(text: string): string {
  return FORMULA_LIKE.test(text) ? `'${text}` : text;
}

const OPTIONS = {
  // Belt and braces: our own cast below already prefixes these, so this changes nothing, but a
  // future column that bypasses the cast is still covered for the characters it knows.
  escape_formulas: true,
  cast: {
    string: neutraliseFormula,
    number: (value: number) => String(value),
    boolean: (value: boolean) => (value ? 'yes' : 'no'),
  },
} as const;

/** Rows as CSV lines (each ending in a newline); null and undefined are empty cells. */
export function csvLines(rows: readonly (readonly CsvValue[])[]): string {
  if (rows.length === 0) return '';
  return stringify(rows as CsvValue[][], OPTIONS);
}

/** UTF-8 byte order mark: without it Excel reads the file as the machine's legacy code page, and names with accents break. */
export const CSV_BOM = '\ufeff';
