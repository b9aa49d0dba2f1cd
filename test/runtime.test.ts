import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_START_FLAGS } from '../src/runtime.js';

describe('start-up flags', () => {
  it('`npm start` gives node every flag src/runtime.ts says must come at start, before the entry point', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const words = pkg.scripts.start!.split(/\s+/);
    const entry = words.indexOf('dist/main.js');
    expect(entry).toBeGreaterThan(0);
    for (const flag of NODE_START_FLAGS) {
      const at = words.indexOf(flag);
      expect(at, `${flag} in "${pkg.scripts.start}"`).toBeGreaterThan(words.indexOf('node'));
      expect(at).toBeLessThan(entry);
    }
  });
});
