import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { AppError, SETTINGS_ADMIN_ONLY_TEXT } from '../errors.js';
import { isValidTimeZone } from '../time-zones.js';
import { workspaces } from '../db/schema.js';
import { rescheduleWeeklyDms } from './weekly.js';
import { rescheduleMatchRounds } from './match-rounds.js';
import { replanDigest } from './digest.js';
import { syncUpcomingSessionJobs } from './session-jobs.js';
import { getSettingsView, WorkspaceSettings, type WorkspaceSettingsView } from './workspace-settings.js';
import type { ServiceDeps } from './context.js';

/**
 * Changing a workspace's settings from `/peer settings`: validated, saved, and applied to the
 * jobs already planned, in one transaction. Reading them is workspace-settings.ts.
 */

/**
 * What `/peer settings` saves: the JSON settings plus the workspace zone (its own column). A
 * field left out keeps its stored value, so a form saves only what it shows.
 */
export const SettingsUpdate = z.object({
  settings: z.record(z.string(), z.unknown()),
  timeZone: z.string().refine(isValidTimeZone, 'Not a time zone we know, e.g. Europe/Berlin'),
});
export type SettingsUpdate = { settings: Partial<WorkspaceSettings>; timeZone: string };

/**
 * Saves the settings and the workspace zone. Input is validated again here (the modal
 * validates first, for inline errors) so no caller can store something invalid.
 */
export function updateSettings(deps: ServiceDeps, teamId: string, input: unknown): WorkspaceSettingsView {
  const parsed = SettingsUpdate.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('invalid_input', issue?.message ?? 'Those settings did not validate.', { field: issue?.path.join('.') });
  }
  const current = getSettingsView(deps, teamId, parsed.data.timeZone);
  const merged = WorkspaceSettings.safeParse({ ...pickSettings(current), ...parsed.data.settings });
  if (!merged.success) {
    const issue = merged.error.issues[0];
    throw new AppError('invalid_input', issue?.message ?? 'Those settings did not validate.', { field: issue?.path.join('.') });
  }
  const settings = merged.data;
  const { timeZone } = parsed.data;
  const result = deps.db
    .update(workspaces)
    .set({ settings: JSON.stringify(settings), timeZone, updatedAt: deps.clock.now() })
    .where(eq(workspaces.teamId, teamId))
    .run();
  if (result.changes === 0) throw new AppError('not_found', 'This workspace is not set up yet.');
  return { ...settings, timeZone };
}

/** The stored settings without the zone (which has its own column). */
function pickSettings(view: WorkspaceSettingsView): WorkspaceSettings {
  const { timeZone: _zone, ...settings } = view;
  return settings;
}

/**
 * What a settings change does to jobs already planned: new reminder lead times re-plan the
 * reminders of every session still to come (old lead times cancelled, new ones planned), and a
 * new weekly day or hour (or workspace zone) moves the pending weekly DMs, and a new workspace zone
 * moves the planned matching rounds. A new digest channel, weekday or hour (or zone) re-plans the
 * pending digest: moved to the new time, cancelled when the channel is cleared, planned when one is set.
 */
export interface SettingsEffects {
  sessionsResynced: number;
  weeklyMoved: number;
  matchRoundsMoved: number;
  digestReplanned: number;
}

function applySettingsChange(
  deps: ServiceDeps,
  teamId: string,
  before: WorkspaceSettings & { timeZone: string },
  after: WorkspaceSettings & { timeZone: string },
  fallbackZone: string,
): SettingsEffects {
  const leadsChanged = before.reminderLeadMinutes.join(',') !== after.reminderLeadMinutes.join(',');
  const sessionsResynced = leadsChanged ? deps.db.transaction(() => syncUpcomingSessionJobs(deps, teamId)) : 0;
  // The workspace zone is the zone of everyone without a Slack zone, so it moves their DMs too.
  const weeklyChanged = before.weeklyDay !== after.weeklyDay || before.weeklyHour !== after.weeklyHour || before.timeZone !== after.timeZone;
  const weeklyMoved = weeklyChanged ? rescheduleWeeklyDms(deps, teamId, fallbackZone) : 0;
  // Rounds run at their weekday and hour in the workspace zone: a new zone moves the planned ones.
  const matchRoundsMoved = before.timeZone !== after.timeZone ? rescheduleMatchRounds(deps, teamId, fallbackZone) : 0;
  const digestChanged =
    before.digestChannelId !== after.digestChannelId || before.digestDay !== after.digestDay || before.digestHour !== after.digestHour || before.timeZone !== after.timeZone;
  const digestReplanned = digestChanged ? replanDigest(deps, teamId, fallbackZone) : 0;
  return { sessionsResynced, weeklyMoved, matchRoundsMoved, digestReplanned };
}

/**
 * Saves settings for an admin and applies what the change means for planned jobs, in one
 * transaction: either the new settings and the re-planned jobs are both stored, or neither.
 */
export function saveSettings(
  deps: ServiceDeps,
  teamId: string,
  actor: { isAdmin: boolean; userId?: string },
  update: unknown,
  fallbackZone: string,
): { saved: WorkspaceSettingsView; effects: SettingsEffects } {
  if (!actor.isAdmin) throw new AppError('forbidden', SETTINGS_ADMIN_ONLY_TEXT);
  // Who saved is kept: told, with the admins, when the digest channel they chose refuses the digest.
  const stamped = actor.userId === undefined ? update : stampSavedBy(update, actor.userId);
  return deps.db.transaction((tx) => {
    const txDeps = { ...deps, db: tx };
    const before = getSettingsView(txDeps, teamId, fallbackZone);
    const saved = updateSettings(txDeps, teamId, stamped);
    return { saved, effects: applySettingsChange(txDeps, teamId, before, saved, fallbackZone) };
  });
}

/** The update with `savedBy` added to its settings (an update of another shape is left for validation to refuse). */
function stampSavedBy(update: unknown, userId: string): unknown {
  if (typeof update !== 'object' || update === null || !('settings' in update)) return update;
  const { settings } = update;
  if (typeof settings !== 'object' || settings === null) return update;
  return { ...update, settings: { ...settings, savedBy: userId } };
}
