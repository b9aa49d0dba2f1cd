import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { isRootDb, preparedPerDb } from '../db/prepared.js';
import { workspaces } from '../db/schema.js';
import type { ServiceDeps } from './context.js';
import { isValidTimeZone } from '../time-zones.js';

/**
 * A workspace's stored settings (reminder lead times, poll question, weekly day and hour) and how
 * to read them; every area that sends reads them here. Changing them is settings.ts.
 */

/** Smallest and largest reminder lead time: 5 minutes to 7 days. */
export const LEAD_MINUTES_MIN = 5;
export const LEAD_MINUTES_MAX = 7 * 24 * 60;
export const POLL_QUESTION_MAX = 150;

export const DEFAULT_POLL_QUESTION = 'How useful was this session for your work?';

/**
 * A workspace's settings, stored as JSON in workspaces.settings. Every field has a default,
 * so `{}` (a new workspace) and rows written by older versions parse to a full object.
 */
/** A Slack channel id (public C…, private G…): the digest channel, and the channel in digest notices. */
export const SlackChannelId = z.string().regex(/^[CG][A-Z0-9]{2,30}$/, 'not a channel id');

export const WorkspaceSettings = z.object({
  /** Minutes before a session that reminders go out (1 to 3 values, largest first). */
  reminderLeadMinutes: z
    .array(z.number().int().min(LEAD_MINUTES_MIN).max(LEAD_MINUTES_MAX))
    .min(1)
    .max(3)
    .default([1440, 15])
    .transform((leads) => [...new Set(leads)].sort((a, b) => b - a)),
  /** Weekday of the "your week" DM, 0 = Sunday ... 6 = Saturday, in each reader's own zone. */
  weeklyDay: z.number().int().min(0).max(6).default(1),
  /** Hour (0-23) of the "your week" DM, in each reader's own zone. */
  weeklyHour: z.number().int().min(0).max(23).default(9),
  pollQuestion: z.string().trim().min(1).max(POLL_QUESTION_MAX).default(DEFAULT_POLL_QUESTION),
  /** Workspace-wide send cap the messenger paces to. */
  messagesPerMinute: z.number().int().min(1).max(600).default(60),
  /** Where the weekly KPI digest is posted; no channel, no digest. */
  digestChannelId: SlackChannelId.nullable().default(null),
  /** Weekday (0 = Sunday ... 6 = Saturday) and hour of the digest, in the workspace zone. */
  digestDay: z.number().int().min(0).max(6).default(1),
  digestHour: z.number().int().min(0).max(23).default(9),
  /** KPI targets the digest measures against (PRODUCT.md "KPIs"). */
  participationTargetPct: z.number().int().min(1).max(100).default(60),
  sessionsPerMonthTarget: z.number().int().min(1).max(1000).default(4),
  /** Time-to-competency target: this many percent faster than the baseline. */
  competencyFasterTargetPct: z.number().int().min(1).max(99).default(20),
  /** Baseline time-to-competency in days, as an admin entered it; wins over competencyBaselineBefore. */
  competencyBaselineDays: z.number().int().min(1).max(3650).nullable().default(null),
  /** Or: the baseline is the median of competencies reached before this local date (YYYY-MM-DD). */
  competencyBaselineBefore: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().default(null),
  /** Who last saved `/peer settings`: told (with the admins) when the digest channel refuses the digest. */
  savedBy: z.string().regex(/^[UW][A-Z0-9]{2,30}$/).nullable().default(null),
});
export type WorkspaceSettings = z.infer<typeof WorkspaceSettings>;

export const DEFAULT_SETTINGS: WorkspaceSettings = WorkspaceSettings.parse({});

const settingsQuery = (db: ServiceDeps['db'], teamId: unknown) => db.select({ settings: workspaces.settings }).from(workspaces).where(eq(workspaces.teamId, teamId as string));
// Read on every join, reminder and scheduled send (the messenger's cap).
const selectSettings = preparedPerDb((db) => settingsQuery(db, sql.placeholder('teamId')).prepare());

/**
 * Reads a workspace's settings. A stored value that no longer validates (hand-edited, or from a
 * future version) never blocks sending: it falls back to the defaults with a warning.
 */
export function getSettings(deps: ServiceDeps, teamId: string): WorkspaceSettings {
  const row = isRootDb(deps.db) ? selectSettings(deps.db).get({ teamId }) : settingsQuery(deps.db, teamId).get();
  if (row === undefined) return DEFAULT_SETTINGS;
  return parseStoredSettings(deps, teamId, row.settings);
}

// Settings are read on every join and every reminder; the stored JSON rarely changes, so the
// parse (JSON + zod) is done once per distinct stored text. Bounded: one entry per workspace setting.
const parsedSettings = new Map<string, WorkspaceSettings>();
const PARSED_SETTINGS_MAX = 1000;

/** The settings a workspaces.settings text holds (defaults when it is unreadable); parsed once per distinct text. */
export function parseStoredSettings(deps: ServiceDeps, teamId: string, stored: string): WorkspaceSettings {
  const cached = parsedSettings.get(stored);
  if (cached !== undefined) return cached;
  const parsed = parseSettingsText(deps, teamId, stored);
  if (parsedSettings.size >= PARSED_SETTINGS_MAX) parsedSettings.clear();
  parsedSettings.set(stored, parsed);
  return parsed;
}

function parseSettingsText(deps: ServiceDeps, teamId: string, stored: string): WorkspaceSettings {
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch {
    deps.logger.warn({ teamId }, 'workspace settings are not JSON; using defaults');
    return DEFAULT_SETTINGS;
  }
  const parsed = WorkspaceSettings.safeParse(json);
  if (!parsed.success) {
    deps.logger.warn({ teamId, issues: parsed.error.issues.map((i) => i.path.join('.')) }, 'workspace settings do not validate; using defaults');
    return DEFAULT_SETTINGS;
  }
  return parsed.data;
}

/** The settings together with the workspace's zone, as the settings modal shows them. */
export interface WorkspaceSettingsView extends WorkspaceSettings {
  timeZone: string;
}

/** The settings with the workspace zone, as `/peer settings` shows them. */
export function getSettingsView(deps: ServiceDeps, teamId: string, fallbackZone: string): WorkspaceSettingsView {
  const row = deps.db
    .select({ settings: workspaces.settings, timeZone: workspaces.timeZone })
    .from(workspaces)
    .where(eq(workspaces.teamId, teamId))
    .get();
  if (row === undefined) return { ...DEFAULT_SETTINGS, timeZone: fallbackZone };
  const timeZone = isValidTimeZone(row.timeZone) ? row.timeZone : fallbackZone;
  return { ...parseStoredSettings(deps, teamId, row.settings), timeZone };
}
