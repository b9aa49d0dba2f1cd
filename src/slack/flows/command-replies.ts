import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../errors.js';
import type { AppDeps } from '../../deps.js';
import { buildEphemeralText, type EphemeralMessage } from '../blocks/help.js';
import { followUps } from '../follow-ups.js';
import type { Actor } from '../actor.js';

/**
 * The answer to a `/peer` command that takes longer to build than an ack should wait (a person's
 * stats, the digest preview; see the rule in listeners/commands/subcommand.ts): built in the
 * app's click lane (follow-ups.ts) after the empty ack, so a burst of them cannot delay the acks of other requests, and sent through the command's response_url.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

export interface CommandOrigin {
  responseUrl: string;
  channelId: string;
}

/**
 * Builds the answer when its turn comes (an AppError becomes its message) and sends it through
 * response_url; when that fails (expired, unreachable), as an ephemeral message in the channel
 * instead. A failure of both is logged: nothing is lost but a read-only answer the person can
 * ask for again.
 */
export function answerCommandLater(deps: AppDeps, actor: Actor, origin: CommandOrigin, what: string, build: () => EphemeralMessage): Promise<void> {
  return followUps(deps, deps.logger, 'clicks').run(undefined, async () => {
    let message: EphemeralMessage;
    try {
      message = build();
    } catch (error) {
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId, userId: actor.userId }, `${what} failed`);
      message = buildEphemeralText(isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT);
    }
    try {
      await deps.messenger.respond(origin.responseUrl, { ...message });
      return;
    } catch (error) {
      deps.logger.warn({ err: error, teamId: actor.teamId, userId: actor.userId }, `${what} not delivered through response_url; posting it ephemerally`);
    }
    try {
      await deps.messenger.postEphemeral(actor.teamId, { channel: origin.channelId, user: actor.userId, text: message.text, blocks: message.blocks });
    } catch (error) {
      deps.logger.warn({ err: error, teamId: actor.teamId, userId: actor.userId }, `${what} not delivered`);
    }
  });
}
