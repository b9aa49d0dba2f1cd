import { z } from 'zod';
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { type Actor, requireActor } from '../../actor.js';
import type { AppDeps } from '../../../deps.js';
import type { FlowOutcome } from '../../flows/sessions.js';
import { runClick } from './click-reply.js';

/** A session button's value: the session number, nothing else (the workspace comes from the payload). */
export const SessionButtonValue = z
  .string()
  .regex(/^\d{1,10}$/, 'not a session number')
  .transform(Number)
  .refine((n) => n >= 1 && Number.isSafeInteger(n), 'not a session number');
export type SessionButtonValue = z.infer<typeof SessionButtonValue>;

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
        if (!value.success) return { refused: INVALID_BUTTON_TEXT };
        const outcome = flow(deps, actor, value.data);
        followUp = outcome.followUp;
        return outcome.text;
      },
      { queued: true },
    );
    await followUp?.();
  };
}
