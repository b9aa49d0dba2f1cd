import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { DIGEST_NOTICE_RECIPIENTS_MAX, listDigestAdmins, listTeamsWithDigestChannel } from '../../src/services/digest.js';
import { createMember, createWorkspace } from '../support/factories.js';

/** Who hears that the digest channel refused the digest, and which workspaces the planner visits. */
const handle = openDb(':memory:');
const deps = { db: handle.db, clock: createSettableClock(Date.UTC(2026, 10, 30)), logger: createLogger('silent') };
afterAll(() => handle.close());
beforeEach(() => {
  handle.db.delete(workspaces).run();
});

const withSettings = (teamId: string, settings: Record<string, unknown>) => createWorkspace(handle.db, teamId, { settings: JSON.stringify(settings) });

describe('the admins told about a digest channel Peerloop is not in', () => {
  it('the person who last saved the settings first, then PEERLOOP_ADMINS, then Slack admins; opted-out people never', () => {
    withSettings('T1', { digestChannelId: 'C0ONE', savedBy: 'U0SAVER' });
    createMember(handle.db, 'T1', 'U0SLACKB', { isSlackAdmin: true });
    createMember(handle.db, 'T1', 'U0SLACKA', { isSlackAdmin: true });
    createMember(handle.db, 'T1', 'U0QUIET', { isSlackAdmin: true, optedOut: true });
    createMember(handle.db, 'T1', 'U0LISTEDOUT', { optedOut: true });
    createMember(handle.db, 'T1', 'U0PLAIN', { timeZone: 'UTC' });
    // Another workspace's admin is never theirs.
    createMember(handle.db, 'T2', 'U0ELSEWHERE', { isSlackAdmin: true });
    expect(listDigestAdmins(deps, 'T1', ['U0LISTED', 'U0LISTEDOUT', 'U0SAVER'])).toEqual(['U0SAVER', 'U0LISTED', 'U0SLACKA', 'U0SLACKB']);
  });

  it('with no admin known, the person who saved the settings; at most ten people', () => {
    withSettings('T1', { savedBy: 'U0SAVER' });
    expect(listDigestAdmins(deps, 'T1', [])).toEqual(['U0SAVER']);
    for (let i = 0; i < 30; i += 1) createMember(handle.db, 'T1', `U0ADMIN${String(i).padStart(2, '0')}`, { isSlackAdmin: true });
    expect(listDigestAdmins(deps, 'T1', [])).toHaveLength(DIGEST_NOTICE_RECIPIENTS_MAX);
    expect(listDigestAdmins(deps, 'T1', [])[0]).toBe('U0SAVER');
  });

  it('the planner visits only workspaces with a digest channel (and survives a broken settings text)', () => {
    withSettings('T1', { digestChannelId: 'C0ONE' });
    withSettings('T2', { digestChannelId: null });
    withSettings('T3', {});
    createWorkspace(handle.db, 'T4', { settings: '{not json' });
    expect(listTeamsWithDigestChannel(deps)).toEqual(['T1']);
  });
});
