import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { requireActor, type Actor } from '../../actor.js';
import { buildEphemeralText } from '../../blocks/help.js';
import { buildNoticeModal } from '../../blocks/notice.js';
import type { AppDeps } from '../../../deps.js';
import { followUps } from '../../follow-ups.js';
import { openModal } from '../../flows/session-modals.js';

/**
 * How every button click answers the person who clicked: the work runs after the ack, and
 * whatever it says (or the refusal an error makes) goes back privately. A click's ack body
 * cannot carry a message (Slack ignores it for block_actions), so the reply always goes through
 * response_url, and it goes first: before the card, calendar file and Home the click also causes. Session buttons, poll
 * votes and the poll comment button all go through here.
 */

export interface ActionBodyLike {
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
 * Runs a click's work after the ack and tells the person what it says: a string is what
 * happened, `{ refused }` a refusal (nothing changed), undefined nothing to say. An AppError
 * becomes its message, anything else the generic one (both refusals). With `queued`, the work waits its turn in the app's
 * click lane (follow-ups.ts), so a burst of clicks cannot starve the acks of the next requests;
 * modal openers run at once instead, because their trigger_id expires within 3 seconds.
 */
export async function runClick(
  deps: AppDeps,
  teamId: string,
  body: ActionBodyLike,
  work: () => Promise<string | undefined | { refused: string }>,
  options: { queued?: boolean } = {},
): Promise<void> {
  let text: string | undefined;
  let refused = false;
  const run = async () => {
    try {
      const said = await work();
      if (typeof said === 'object') {
        text = said.refused;
        refused = true;
      } else text = said;
    } catch (error) {
      refused = true;
      if (isAppError(error)) text = error.message;
      else {
        deps.logger.error({ err: error, teamId }, 'click failed');
        text = UNEXPECTED_ERROR_TEXT;
      }
    }
  };
  // The lane bounds the work (database, rendering), not the reply's round trip to Slack: a
  // slot held while the response_url post travels would make the next clicks wait for the
  // network (bench/open-loop.ts: a Join burst's reply p99 was mostly that wait).
  if (options.queued === true) await followUps(deps, deps.logger, 'clicks').run(undefined, run);
  else await run();
  if (text !== undefined) await replyToClick(deps, teamId, body, text, { refused });
}


/** What a button's work is given: who clicked, the button's value (when it is text) and the click itself. */
export interface Click {
  actor: Actor;
  value: string | undefined;
  action: SlackActionMiddlewareArgs<BlockAction>['action'];
  body: BlockAction;
}

/** A button listener: acks at once, then runs `work` as runClick does (its answer goes back privately). */
export function createClickListener(deps: AppDeps, work: (click: Click) => Promise<string | undefined | { refused: string }>, options: { queued?: boolean } = {}) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    await runClick(deps, actor.teamId, body, () => work({ actor, value, action, body }), options);
  };
}
