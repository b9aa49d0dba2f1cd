import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interFontFiles } from '../../src/charts/digest-chart.js';
import { parseFontMetrics, readFontMetrics } from '../../src/charts/font-metrics.js';

describe('font metrics (the widths vega lays the chart out with)', () => {
  const regular = readFontMetrics(interFontFiles()[400]);
  const bold = readFontMetrics(interFontFiles()[700]);

  it("reads Inter's advance widths: proportional, wider when bold, linear in the font size", () => {
    expect(regular.width('W', 10)).toBeGreaterThan(regular.width('i', 10) * 2);
    expect(bold.width('Participation', 12)).toBeGreaterThan(regular.width('Participation', 12));
    expect(regular.width('Week of', 21)).toBeCloseTo(regular.width('Week of', 10.5) * 2, 6);
    expect(regular.width('', 12)).toBe(0);
    // Inter is about 0.55 em a character in running text; vega's guess without a canvas is 0.8.
    const perChar = regular.width('Sessions held per week', 1) / 'Sessions held per week'.length;
    expect(perChar).toBeGreaterThan(0.4);
    expect(perChar).toBeLessThan(0.7);
  });

  it('counts a character the font does not have as the average width, not as nothing', () => {
    const missing = regular.width('中', 10); // Inter has no CJK glyphs
    expect(missing).toBeGreaterThan(3);
    expect(missing).toBeLessThan(10);
    expect(regular.width('a\u{1F600}b', 10)).toBeGreaterThan(regular.width('ab', 10));
  });

  it('refuses a file that is not a TrueType font', () => {
    const notAFont = Buffer.alloc(64);
    expect(() => parseFontMetrics(notAFont)).toThrow(/no head table/);
    const woffLike = readFileSync(interFontFiles()[400]).subarray(0, 12);
    expect(() => parseFontMetrics(Buffer.concat([woffLike, Buffer.alloc(16)]))).toThrow();
  });
});
