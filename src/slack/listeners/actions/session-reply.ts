import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { buildEphemeralText } from '../../blocks/help.js';
import { buildNoticeModal } from '../../blocks/notice.js';
import type { Actor, AppDeps } from '../../deps.js';
import { followUps } from '../../follow-ups.js';
import { requireActor } from '../../middleware/actor.js';
import { openModal, type FlowOutcome } from '../../session-flow.js';

/** A session button's value: the session number, nothing else (the workspace comes from the payload). */
export const SessionButtonValue = z
  .string()
  .regex(/^\d{1,10}$/, 'not a session number')
  .transform(Number)
  .refine((n) => n >= 1 && Number.isSafeInteger(n), 'not a session number');
export type SessionButtonValue = z.infer<typeof SessionButtonValue>;

interface ActionBodyLike {
  response_url?: string;
  trigger_id?: string;
  channel?: { id?: string };
  container?: { type?: string };
}

/**
 * Tells the person who clicked, privately: through the response_url when the click came from
 * a message (card, list). A click on App Home (container type "view") has no response_url;
 * there a refusal opens a small modal with the message, while a change needs no words because
 * Home refreshes itself.
 */
export async function replyToClick(deps: AppDeps, teamId: string, body: ActionBodyLike, text: string, options: { refused?: boolean } = {}): Promise<void> {
  try {
    if (body.container?.type === 'view') {
      if (options.refused === true && body.trigger_id !== undefined && body.trigger_id !== '') {
        await openModal(deps, teamId, body.trigger_id, buildNoticeModal(text));
      }
    } else if (body.response_url !== undefined && body.response_url !== '') {
      await deps.messenger.respond(body.response_url, { ...buildEphemeralText(text), replace_original: false });
    }
  } catch (error) {
    deps.logger.warn({ err: error, teamId }, 'reply to a click not delivered');
  }
}

/**
 * Runs a click's work after the ack; an AppError becomes its message, anything else the generic
 * one (both are refusals: nothing changed). With `queued`, the work waits its turn in the app's
 * click lane (follow-ups.ts), so a burst of clicks cannot starve the acks of the next requests;
 * modal openers run at once instead, because their trigger_id expires within 3 seconds.
 */
export async function runClick(
  deps: AppDeps,
  teamId: string,
  body: ActionBodyLike,
  work: () => Promise<string | undefined>,
  options: { queued?: boolean } = {},
): Promise<void> {
  const run = async () => {
    let text: string | undefined;
    let refused = false;
    try {
      text = await work();
      refused = text === INVALID_BUTTON_TEXT;
    } catch (error) {
      refused = true;
      if (isAppError(error)) text = error.message;
      else {
        deps.logger.error({ err: error, teamId }, 'session click failed');
        text = UNEXPECTED_ERROR_TEXT;
      }
    }
    if (text !== undefined) await replyToClick(deps, teamId, body, text, { refused });
  };
  if (options.queued === true) await followUps(deps, deps.logger, 'clicks').run(undefined, run);
  else await run();
}

export const INVALID_BUTTON_TEXT = "That button doesn't name a session Peerloop knows. Try `/peer list`.";

/**
 * A Join / Leave / Cancel style button: ack, validate the session number, run the flow, tell
 * the person first (queued behind other clicks), then let the card, DMs and calendar files follow.
 */
export function createSessionButtonListener(deps: AppDeps, flow: (deps: AppDeps, actor: Actor, number: number) => FlowOutcome) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    let followUp: (() => Promise<void>) | undefined;
    await runClick(
      deps,
      actor.teamId,
      body,
      async () => {
        const value = SessionButtonValue.safeParse(action.value ?? '');
        if (!value.success) return INVALID_BUTTON_TEXT;
        const outcome = flow(deps, actor, value.data);
        followUp = outcome.followUp;
        return outcome.text;
      },
      { queued: true },
    );
    await followUp?.();
  };
}
