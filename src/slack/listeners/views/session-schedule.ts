import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { checkHost, submitEditForm, submitScheduleForm, type FieldErrors, type Submission } from '../../flows/schedule.js';
import { getSession } from '../../../services/session-queries.js';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { parseScheduleModalMetadata, readScheduleModalFields, scheduleBlockId, type ScheduleModalMetadata, type ScheduleModalValues } from '../../blocks/schedule-modal.js';
import { requireActor } from '../../actor.js';
import { ScheduleModalFields } from '../../ids.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';
import { validateScheduleInput, type ScheduleField, type Session, startFromForm } from '../../../services/session-model.js';

type FieldKey = keyof FieldErrors;

/** Service field -> the modal block that shows its error. */
const FIELD_BLOCK: Record<ScheduleField, FieldKey> = {
  format: 'format',
  title: 'title',
  topic: 'topic',
  startsAt: 'date',
  durationMin: 'duration',
  hostId: 'host',
  capacity: 'capacity',
  channelId: 'channel',
  link: 'link',
  agenda: 'agenda',
  repeatWeeks: 'repeat',
};

const INTEGER = /^-?\d+$/;

/**
 * Modal text -> the service's input shape; a field that cannot even be read becomes an error.
 * `editing`: the session an edit form was filled from (sessionModalValues, in the same zone).
 */
function toRawInput(
  values: ScheduleModalValues,
  zone: string,
  mode: ScheduleModalMetadata['mode'],
  editing?: Pick<Session, 'startsAt'>,
): { raw: Record<string, unknown>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const number = (text: string | undefined, field: FieldKey, optional: boolean): number | null | undefined => {
    const trimmed = text?.trim() ?? '';
    if (trimmed === '') return optional ? null : undefined;
    if (!INTEGER.test(trimmed)) {
      errors[field] = 'Enter a whole number.';
      return undefined;
    }
    return Number(trimmed);
  };
  let startsAt: number | undefined;
  if (values.date === undefined || values.date === '') errors.date = 'Pick a date.';
  if (values.time === undefined || values.time === '') errors.time = 'Pick a start time.';
  if (errors.date === undefined && errors.time === undefined) {
    try {
      startsAt = startFromForm(values.date!, values.time!, zone, editing);
    } catch (error) {
      if (!isAppError(error)) throw error;
      errors.time = error.message;
    }
  }
  const link = values.link?.trim() ?? '';
  const repeat = mode === 'create' ? number(values.repeat, 'repeat', true) : 1;
  const raw: Record<string, unknown> = {
    format: values.format,
    title: values.title ?? '',
    topic: values.topic ?? '',
    startsAt,
    durationMin: number(values.duration, 'duration', false),
    hostId: values.hostId,
    capacity: number(values.capacity, 'capacity', true),
    channelId: values.channelId,
    link: link === '' ? null : link,
    agenda: values.agenda ?? '',
    repeatWeeks: repeat ?? 1,
  };
  if (repeat === undefined) delete raw.repeatWeeks;
  return { raw, errors };
}

function blockErrors(errors: FieldErrors, rev: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors) as [FieldKey, string][]) out[scheduleBlockId(field, rev)] = message;
  return out;
}

/**
 * Schedule / edit submission. Everything is validated first (errors go inline and nothing is
 * written), including the host check against Slack; a valid form is saved by the schedule flow
 * (flows/schedule.ts), which answers within Slack's 3 s.
 */
export function createScheduleSubmissionListener(deps: AppDeps) {
  const svc = serviceDeps(deps);
  return async ({ ack, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const startedAt = performance.now();
    const actor = requireActor(context);
    const metadata = parseScheduleModalMetadata(view.private_metadata);
    if (metadata === undefined || (metadata.mode === 'edit' && metadata.number === undefined)) {
      await ack({ response_action: 'errors', errors: { [ScheduleModalFields.title]: 'This form could not be read. Close it and run /peer schedule again.' } });
      return;
    }
    const rev = metadata.rev;
    const fail = (errors: FieldErrors) => ack({ response_action: 'errors', errors: blockErrors(errors, rev) });

    try {
      const editing = metadata.mode === 'edit' ? getSession(svc, actor.teamId, metadata.number!) : undefined;
      const { values, unreadable } = readScheduleModalFields(view.state.values);
      // The edit form has no repeat field, so nothing is said about one.
      if (metadata.mode === 'edit') delete unreadable.repeat;
      const { raw, errors } = toRawInput(values, actor.timeZone, metadata.mode, editing);
      const checked = validateScheduleInput(svc, raw, editing === undefined ? {} : { unchangedStart: editing.startsAt });
      // A value of the wrong shape is named as such, not as the blank it was read as.
      const all: FieldErrors = { ...errors, ...unreadable };
      if (!checked.ok) {
        for (const [field, message] of Object.entries(checked.errors) as [ScheduleField, string][]) {
          const block = FIELD_BLOCK[field];
          if (all[block] === undefined) all[block] = message;
        }
      }
      const hostId = typeof raw.hostId === 'string' ? raw.hostId : undefined;
      if (all.host === undefined && hostId !== undefined && hostId !== actor.userId) {
        const hostProblem = await checkHost(deps, actor.teamId, hostId, startedAt);
        if (hostProblem !== undefined) all.host = hostProblem;
      }
      if (Object.keys(all).length > 0 || !checked.ok) {
        await fail(all);
        return;
      }
      const submission: Submission = { deps, actor, ack: () => ack(), fail, startedAt, origin: metadata.origin, matchGroup: metadata.matchGroup };
      if (metadata.mode === 'create') await submitScheduleForm(submission, checked.input);
      else await submitEditForm(submission, metadata.number!, checked.input);
    } catch (error) {
      // Whatever went wrong, the person sees it on the form rather than a silently closed modal.
      const message = isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT;
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId }, 'schedule submission failed');
      await fail({ title: message }).catch(() => undefined);
    }
  };
}
