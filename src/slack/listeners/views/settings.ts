import { z } from 'zod';
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { buildSettingsSavedModal, formatLeadMinutes } from '../../blocks/settings.js';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { isValidTimeZone } from '../../../time-zones.js';
import { LEAD_MINUTES_MAX, LEAD_MINUTES_MIN, POLL_QUESTION_MAX } from '../../../services/workspace-settings.js';
import { noticeView, toBoltView } from '../../bolt-view.js';
import { requireActor } from '../../actor.js';
import { saveSettings, type SettingsUpdate } from '../../../services/settings.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';
import { SettingsViews } from '../../ids.js';
import { IntField, readFormFields } from './form-fields.js';

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

export function parseSettingsForm(values: ViewSubmitAction['view']['state']['values']): { ok: true; update: SettingsUpdate } | { ok: false; errors: Record<string, string> } {
  const parsed = readFormFields(values, SettingsForm, SettingsViews.input, SettingsViews.timeZoneBlock);
  if (!parsed.ok) return parsed;
  const f = parsed.data;
  return {
    ok: true,
    update: {
      timeZone: f[SettingsViews.timeZoneBlock],
      settings: {
        reminderLeadMinutes: f[SettingsViews.leadTimesBlock],
        weeklyDay: f[SettingsViews.weeklyDayBlock],
        weeklyHour: f[SettingsViews.weeklyHourBlock],
        pollQuestion: f[SettingsViews.pollQuestionBlock],
        messagesPerMinute: f[SettingsViews.messagesPerMinuteBlock],
      },
    },
  };
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
    const form = parseSettingsForm(view.state.values);
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
