import { readFileSync } from 'node:fs';

/**
 * Advance widths read from a TrueType file, so a chart can be laid out with the widths of the
 * font it is drawn in. Vega measures text with a canvas when the `canvas` package is installed
 * and otherwise guesses 0.8 em a character, which for Inter (about 0.55 em) makes titles and
 * labels take half as much room again as they do: the layout grows and the chart shrinks.
 *
 * Only what widths need: `head` (units per em), `hhea` and `hmtx` (advances), `cmap` format 4
 * (the Basic Multilingual Plane). Kerning is left out; it moves a label by a pixel or two.
 */
export interface FontMetrics {
  /** Width of `text` at `fontSize` px. A character the font lacks counts as the average width. */
  width(text: string, fontSize: number): number;
}

export function readFontMetrics(path: string): FontMetrics {
  return parseFontMetrics(readFileSync(path));
}

export function parseFontMetrics(font: Buffer): FontMetrics {
  const tables = new Map<string, number>();
  const count = font.readUInt16BE(4);
  for (let i = 0; i < count; i += 1) {
    const record = 12 + 16 * i;
    tables.set(font.toString('latin1', record, record + 4), font.readUInt32BE(record + 8));
  }
  const at = (tag: string) => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`font has no ${tag} table`);
    return offset;
  };
  const unitsPerEm = font.readUInt16BE(at('head') + 18);
  const advanceCount = font.readUInt16BE(at('hhea') + 34);
  const hmtx = at('hmtx');
  // Glyphs past the last long metric share its advance (monospaced tails).
  const advance = (glyph: number) => font.readUInt16BE(hmtx + 4 * Math.min(glyph, advanceCount - 1));
  const glyphOf = readCmap4(font, at('cmap'));

  // What a character the font lacks counts as: the mean of printable ASCII (the mean of every
  // glyph is over 1 em in Inter, pulled up by arrows and ligatures).
  let total = 0;
  let known = 0;
  for (let code = 0x20; code < 0x7f; code += 1) {
    const glyph = glyphOf(code);
    if (glyph !== 0) {
      total += advance(glyph);
      known += 1;
    }
  }
  const average = known === 0 ? 0.6 : total / known / unitsPerEm;
  const widths = new Map<number, number>();
  const emWidth = (code: number) => {
    let w = widths.get(code);
    if (w === undefined) {
      const glyph = glyphOf(code);
      w = glyph === 0 ? average : advance(glyph) / unitsPerEm;
      widths.set(code, w);
    }
    return w;
  };
  return {
    width(text, fontSize) {
      let em = 0;
      for (const char of text) em += emWidth(char.codePointAt(0)!);
      return em * fontSize;
    },
  };
}

/** Character code -> glyph id through the Windows Unicode BMP (3, 1) or Unicode (0, 3) format 4 subtable; 0 when missing. */
function readCmap4(font: Buffer, cmap: number): (code: number) => number {
  const subtables = font.readUInt16BE(cmap + 2);
  let table: number | undefined;
  for (let i = 0; i < subtables && table === undefined; i += 1) {
    const record = cmap + 4 + 8 * i;
    const platform = font.readUInt16BE(record);
    const encoding = font.readUInt16BE(record + 2);
    const offset = cmap + font.readUInt32BE(record + 4);
    if (((platform === 3 && encoding === 1) || (platform === 0 && encoding === 3)) && font.readUInt16BE(offset) === 4) table = offset;
  }
  if (table === undefined) throw new Error('font has no format 4 cmap');
  const start = table;
  const segments = font.readUInt16BE(start + 6) / 2;
  const ends = start + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  return (code) => {
    if (code > 0xffff) return 0;
    for (let s = 0; s < segments; s += 1) {
      if (font.readUInt16BE(ends + 2 * s) < code) continue;
      const first = font.readUInt16BE(starts + 2 * s);
      if (first > code) return 0;
      const delta = font.readInt16BE(deltas + 2 * s);
      const rangeAt = rangeOffsets + 2 * s;
      const rangeOffset = font.readUInt16BE(rangeAt);
      if (rangeOffset === 0) return (code + delta) & 0xffff;
      const glyph = font.readUInt16BE(rangeAt + rangeOffset + 2 * (code - first));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}
