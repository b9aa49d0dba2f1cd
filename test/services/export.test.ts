import { afterAll, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { buildExport } from '../../src/services/export.js';
import { resolveExportRange } from '../../src/services/export-range.js';
import { createSession } from '../support/factories.js';

const handle = openDb(':memory:');
const now = Date.UTC(2026, 11, 6, 12);
const deps = { db: handle.db, clock: createSettableClock(now), logger: createLogger('silent') };
afterAll(() => handle.close());

describe('buildExport', () => {
  it('gives the event loop a turn between chunks, so other requests run during a large export', async () => {
    for (let i = 0; i < 6; i += 1) createSession(handle.db, { teamId: 'T0A', startsAt: now - (i + 1) * 86_400_000 });
    const range = resolveExportRange({ from: '2026-11-01', to: '2026-12-06' }, 'UTC', now);
    // A chain of setImmediate callbacks advances one link per turn of the event loop; a build
    // that never yielded would finish (in microtasks) before the first link ran.
    let turns = 0;
    let chaining = true;
    const chain = () => {
      if (!chaining) return;
      turns += 1;
      setImmediate(chain);
    };
    setImmediate(chain);
    const result = await buildExport(deps, 'T0A', range, { chunkSize: 2 });
    chaining = false;
    expect(result.counts.sessions).toBe(6);
    expect(turns).toBeGreaterThanOrEqual(3);

    turns = 0;
    chaining = true;
    setImmediate(chain);
    await buildExport(deps, 'T0A', range, { chunkSize: 100 });
    chaining = false;
    expect(turns).toBeLessThanOrEqual(2);
  });
});
