import { z } from 'zod';
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { buildSettingsSavedModal, formatLeadMinutes } from '../../blocks/settings.js';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { isValidTimeZone } from '../../../time-zones.js';
import { LEAD_MINUTES_MAX, LEAD_MINUTES_MIN, POLL_QUESTION_MAX, type WorkspaceSettingsView } from '../../../services/workspace-settings.js';
import { digestChannelMembership } from '../../flows/digest.js';
import { noticeView, toBoltView } from '../../bolt-view.js';
import { requireActor } from '../../actor.js';
import { saveSettings, type SettingsUpdate } from '../../../services/settings.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';
import { SettingsViews } from '../../ids.js';
import { IntField, OptionalIntField, readFormFields } from './form-fields.js';
import { localDateYmd } from '../../../services/time.js';

/** Minutes per unit, for every way people write one (no unit means minutes). */
const LEAD_UNITS: Readonly<Record<string, number>> = Object.fromEntries([
  ...['d', 'day', 'days'].map((u) => [u, 1440] as const),
  ...['h', 'hr', 'hrs', 'hour', 'hours'].map((u) => [u, 60] as const),
  ...['m', 'min', 'mins', 'minute', 'minutes'].map((u) => [u, 1] as const),
]);

/**
 * "24h, 15m" / "24 h, 15 m" / "1d 2h" / "1 day, 15 min" / "90" (minutes) -> minutes, largest
 * first; each bad part named in the message. Commas, semicolons and "and" separate lead times,
 * and so does a space before a number; a space between a number and its unit does not (people
 * type "24 h"), so "1d 2h" is two lead times, as "24h 15m" always was.
 */
export const LeadTimesField = z.string().transform((text, ctx) => {
  const parts = text
    .split(/\s*(?:[,;]|\band\b)\s*|\s+(?=\d)/i)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0 || parts.length > 3) {
    ctx.addIssue({ code: 'custom', message: 'Give 1 to 3 lead times, like "24h, 15m".' });
    return z.NEVER;
  }
  const minutes: number[] = [];
  for (const part of parts) {
    const match = /^(\d{1,6})\s*([a-z]*)$/i.exec(part);
    const perUnit = match === null ? undefined : match[2] === '' ? 1 : LEAD_UNITS[match[2]!.toLowerCase()];
    if (match === null || perUnit === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${part.slice(0, 20)}" is not a lead time. Use minutes, hours or days, like 15m, 24h or 2d.` });
      return z.NEVER;
    }
    const value = Number(match[1]) * perUnit;
    if (value < LEAD_MINUTES_MIN || value > LEAD_MINUTES_MAX) {
      ctx.addIssue({ code: 'custom', message: `${part} is out of range: each lead time must be from ${LEAD_MINUTES_MIN}m to ${formatLeadMinutes(LEAD_MINUTES_MAX)} (7 days).` });
      return z.NEVER;
    }
    minutes.push(value);
  }
  return [...new Set(minutes)].sort((a, b) => b - a);
});

/** The modal's fields, each keyed by its block so a problem lands on the right input. */
export const SettingsForm = z.object({
  [SettingsViews.timeZoneBlock]: z
    .string({ error: 'Enter a time zone, like Europe/Berlin.' })
    .trim()
    .refine(isValidTimeZone, 'Not a time zone I know. Use an IANA name like Europe/Berlin or America/New_York.'),
  [SettingsViews.leadTimesBlock]: z.string({ error: 'Give 1 to 3 lead times, like "24h, 15m".' }).pipe(LeadTimesField),
  [SettingsViews.weeklyDayBlock]: IntField(0, 6, 'Pick a day of the week.'),
  [SettingsViews.weeklyHourBlock]: IntField(0, 23, 'Pick an hour from 00:00 to 23:00.'),
  [SettingsViews.pollQuestionBlock]: z
    .string({ error: 'Enter the poll question.' })
    .trim()
    .min(1, 'Enter the poll question.')
    .refine((q) => Array.from(q).length <= POLL_QUESTION_MAX, `Keep the question to ${POLL_QUESTION_MAX} characters or fewer.`),
  [SettingsViews.messagesPerMinuteBlock]: IntField(1, 600, 'Use a whole number from 1 to 600.'),
});

/** The digest and KPI-target fields, one block each. */
export const DigestSettingsForm = z.object({
  // Empty means no digest; conversations_select only offers channels, but a forged value is refused.
  [SettingsViews.digestChannelBlock]: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === '' ? null : v))
    .refine((v) => v === null || /^[CG][A-Z0-9]{2,30}$/.test(v), 'Pick a channel (public or private) for the digest, or leave it empty for no digest.'),
  [SettingsViews.digestDayBlock]: IntField(0, 6, 'Pick a day of the week.'),
  [SettingsViews.digestHourBlock]: IntField(0, 23, 'Pick an hour from 00:00 to 23:00.'),
  [SettingsViews.participationTargetBlock]: IntField(1, 100, 'Use a whole percentage from 1 to 100.'),
  [SettingsViews.sessionsTargetBlock]: IntField(1, 1000, 'Use a whole number of sessions from 1 to 1000.'),
  [SettingsViews.competencyTargetBlock]: IntField(1, 99, 'Use a whole percentage from 1 to 99.'),
  [SettingsViews.baselineDaysBlock]: OptionalIntField(1, 3650, 'Use a whole number of days from 1 to 3650, or leave it empty.'),
  [SettingsViews.baselineBeforeBlock]: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === '' ? null : v))
    .refine((v) => v === null || isRealDate(v), 'Pick a date from the calendar, or leave it empty.'),
});

/** "2026-02-30" is not a date: the datepicker never sends one, but a forged submission could. */
function isRealDate(ymd: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (match === null) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === ymd;
}

/**
 * The form as settings. `nowMs` dates the baseline check: a baseline date must not be after today
 * in the workspace zone (competencies reached before it are the baseline, so a later one would
 * mix in the very weeks it is compared with).
 */
export function parseSettingsForm(values: ViewSubmitAction['view']['state']['values'], nowMs: number): { ok: true; update: SettingsUpdate } | { ok: false; errors: Record<string, string> } {
  const parsed = readFormFields(values, SettingsForm, SettingsViews.input, SettingsViews.timeZoneBlock);
  // A modal opened before the digest fields existed (then the app was upgraded) has none of their
  // blocks: it saves what it shows, and the digest settings keep their stored values.
  const hasDigestFields = Object.keys(DigestSettingsForm.shape).some((block) => values[block] !== undefined);
  const digest = hasDigestFields ? readFormFields(values, DigestSettingsForm, SettingsViews.input, SettingsViews.digestChannelBlock) : undefined;
  if (!parsed.ok || digest?.ok === false) return { ok: false, errors: { ...(parsed.ok ? {} : parsed.errors), ...(digest?.ok === false ? digest.errors : {}) } };
  const f = parsed.data;
  const update: SettingsUpdate = {
    timeZone: f[SettingsViews.timeZoneBlock],
    settings: {
      reminderLeadMinutes: f[SettingsViews.leadTimesBlock],
      weeklyDay: f[SettingsViews.weeklyDayBlock],
      weeklyHour: f[SettingsViews.weeklyHourBlock],
      pollQuestion: f[SettingsViews.pollQuestionBlock],
      messagesPerMinute: f[SettingsViews.messagesPerMinuteBlock],
    },
  };
  if (digest === undefined) return { ok: true, update };
  const d = digest.data;
  const baselineDays = d[SettingsViews.baselineDaysBlock];
  const baselineBefore = d[SettingsViews.baselineBeforeBlock];
  if (baselineDays !== null && baselineBefore !== null) {
    return { ok: false, errors: { [SettingsViews.baselineBeforeBlock]: 'Give the baseline as days or as a date, not both: clear one of them.' } };
  }
  if (baselineBefore !== null && baselineBefore > localDateYmd(nowMs, update.timeZone)) {
    return { ok: false, errors: { [SettingsViews.baselineBeforeBlock]: 'Pick today or an earlier date: competencies reached before it form the baseline.' } };
  }
  update.settings = {
    ...update.settings,
    digestChannelId: d[SettingsViews.digestChannelBlock],
    digestDay: d[SettingsViews.digestDayBlock],
    digestHour: d[SettingsViews.digestHourBlock],
    participationTargetPct: d[SettingsViews.participationTargetBlock],
    sessionsPerMonthTarget: d[SettingsViews.sessionsTargetBlock],
    competencyFasterTargetPct: d[SettingsViews.competencyTargetBlock],
    competencyBaselineDays: baselineDays,
    competencyBaselineBefore: baselineBefore,
  };
  return { ok: true, update };
}

/** Adds "Invite @Peerloop to #x" to the saved summary when Slack says Peerloop is not in the digest channel. */
async function warnIfDigestChannelClosed(deps: AppDeps, teamId: string, viewId: string, saved: WorkspaceSettingsView): Promise<void> {
  if (saved.digestChannelId === null) return;
  const membership = await digestChannelMembership(deps, teamId, saved.digestChannelId);
  if (membership?.isMember !== false) return;
  try {
    await deps.messenger.updateView(teamId, { view_id: viewId, view: buildSettingsSavedModal(saved, { digestNotInChannel: true }) });
  } catch (error) {
    // Closed meanwhile: the digest's own DM to the admins says it again when it cannot post.
    deps.logger.warn({ err: error, teamId }, 'settings summary not updated with the digest channel warning');
  }
}

function notice(text: string) {
  return noticeView(text, 'Peerloop settings');
}

/**
 * Saves `/peer settings`. Bad fields come back inline (response_action: errors) and nothing is
 * saved; on success the modal turns into a short summary of what is now in force (no DM).
 */
export function createSettingsSubmitListener(deps: AppDeps) {
  return async ({ ack, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const actor = requireActor(context);
    const form = parseSettingsForm(view.state.values, deps.clock.now());
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    const services = serviceDeps(deps);
    try {
      // saveSettings re-checks admin rights: a view submission can be forged like any payload.
      const { saved, effects } = saveSettings(services, actor.teamId, actor, form.update, deps.config.defaultTimeZone);
      deps.logger.info({ teamId: actor.teamId, userId: actor.userId, ...effects }, 'workspace settings saved');
      await ack({ response_action: 'update', view: toBoltView(buildSettingsSavedModal(saved)) });
      // After the ack (a Slack call may not delay it) and outside the save's transaction: a digest
      // channel Peerloop is not in would refuse every digest, so the summary says so at once.
      await warnIfDigestChannelClosed(deps, actor.teamId, view.id, saved);
    } catch (error) {
      if (isAppError(error)) {
        await ack({ response_action: 'update', view: notice(error.message) });
        return;
      }
      deps.logger.error({ err: error, teamId: actor.teamId }, 'saving settings failed');
      await ack({ response_action: 'update', view: notice(UNEXPECTED_ERROR_TEXT) });
    }
  };
}
