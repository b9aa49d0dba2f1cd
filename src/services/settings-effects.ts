import { AppError, SETTINGS_ADMIN_ONLY_TEXT } from '../errors.js';
import type { ServiceDeps } from './context.js';
import { syncUpcomingSessionJobs } from './session-jobs.js';
import { getSettingsView, updateSettings, type WorkspaceSettings, type WorkspaceSettingsView } from './settings.js';
import { rescheduleWeeklyDms } from './weekly.js';

/**
 * What a settings change does to jobs already planned: new reminder lead times re-plan the
 * reminders of every session still to come (old lead times cancelled, new ones planned), and a
 * new weekly day or hour (or workspace zone) moves the pending weekly DMs. Kept out of
 * settings.ts because the reminder code itself reads settings.
 */
export function applySettingsChange(
  deps: ServiceDeps,
  teamId: string,
  before: WorkspaceSettings & { timeZone: string },
  after: WorkspaceSettings & { timeZone: string },
  fallbackZone: string,
): { sessionsResynced: number; weeklyMoved: number } {
  const leadsChanged = before.reminderLeadMinutes.join(',') !== after.reminderLeadMinutes.join(',');
  const sessionsResynced = leadsChanged ? deps.db.transaction(() => syncUpcomingSessionJobs(deps, teamId)) : 0;
  // The workspace zone is the zone of everyone without a Slack zone, so it moves their DMs too.
  const weeklyChanged = before.weeklyDay !== after.weeklyDay || before.weeklyHour !== after.weeklyHour || before.timeZone !== after.timeZone;
  const weeklyMoved = weeklyChanged ? rescheduleWeeklyDms(deps, teamId, fallbackZone) : 0;
  return { sessionsResynced, weeklyMoved };
}

/**
 * Saves settings for an admin and applies what the change means for planned jobs, in one
 * transaction: either the new settings and the re-planned jobs are both stored, or neither.
 */
export function saveSettings(
  deps: ServiceDeps,
  teamId: string,
  actor: { isAdmin: boolean },
  update: unknown,
  fallbackZone: string,
): { saved: WorkspaceSettingsView; effects: { sessionsResynced: number; weeklyMoved: number } } {
  if (!actor.isAdmin) throw new AppError('forbidden', SETTINGS_ADMIN_ONLY_TEXT);
  return deps.db.transaction((tx) => {
    const txDeps = { ...deps, db: tx };
    const before = getSettingsView(txDeps, teamId, fallbackZone);
    const saved = updateSettings(txDeps, teamId, update);
    return { saved, effects: applySettingsChange(txDeps, teamId, before, saved, fallbackZone) };
  });
}
