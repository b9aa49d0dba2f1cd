import { afterAll, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { resolvePersonZone, resolveWorkspaceZone } from '../../src/services/members.js';
import { listWorkspaceIds } from '../../src/services/workspaces.js';
import { createMember, createWorkspace } from '../support/factories.js';

const handle = openDb(':memory:');
const deps = { db: handle.db, clock: createSettableClock('2026-11-24T10:00:00Z'), logger: createLogger('silent') };
afterAll(() => handle.close());

describe('resolvePersonZone: member zone, then workspace zone, then the fallback, each only if known', () => {
  createWorkspace(handle.db, 'T0GOOD', { timeZone: 'Asia/Tokyo' });
  createWorkspace(handle.db, 'T0BAD', { timeZone: 'Mars/Olympus' });
  createMember(handle.db, 'T0GOOD', 'U0BERLIN', { timeZone: 'Europe/Berlin' });
  createMember(handle.db, 'T0GOOD', 'U0NOZONE', { timeZone: null });
  createMember(handle.db, 'T0GOOD', 'U0BROKEN', { timeZone: 'Not/AZone' });
  createMember(handle.db, 'T0BAD', 'U0BROKEN', { timeZone: 'Not/AZone' });

  it('uses the member zone when it is known', () => {
    expect(resolvePersonZone(deps, 'T0GOOD', 'U0BERLIN', 'America/New_York')).toBe('Europe/Berlin');
  });

  it('falls back to the workspace zone for a member without one, an unknown one, or no member row', () => {
    expect(resolvePersonZone(deps, 'T0GOOD', 'U0NOZONE', 'America/New_York')).toBe('Asia/Tokyo');
    expect(resolvePersonZone(deps, 'T0GOOD', 'U0BROKEN', 'America/New_York')).toBe('Asia/Tokyo');
    expect(resolvePersonZone(deps, 'T0GOOD', 'U0NOBODY', 'America/New_York')).toBe('Asia/Tokyo');
  });

  it('falls back to the given zone when neither is known, or the workspace is missing', () => {
    expect(resolvePersonZone(deps, 'T0BAD', 'U0BROKEN', 'America/New_York')).toBe('America/New_York');
    expect(resolvePersonZone(deps, 'T0NONE', 'U0BERLIN', 'America/New_York')).toBe('America/New_York');
    expect(resolveWorkspaceZone(deps, 'T0BAD', 'America/New_York')).toBe('America/New_York');
    expect(resolveWorkspaceZone(deps, 'T0GOOD', 'America/New_York')).toBe('Asia/Tokyo');
  });

  it('listWorkspaceIds lists every installed workspace', () => {
    expect(listWorkspaceIds(deps).sort()).toEqual(['T0BAD', 'T0GOOD']);
  });
});
