import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { buildEphemeralText, buildHelpMessage, type EphemeralMessage } from '../../blocks/help.js';
import { inlineCode } from '../../blocks/text.js';
import { parsePeerCommand, type PeerCommand, type SubcommandName } from '../../command.js';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { subcommandHandlers } from './handlers.js';
import type { SubcommandHandler } from './subcommand.js';

/**
 * `/peer ...`: parse, dispatch to the subcommand's handler, and turn any error into a short
 * ephemeral reply (in the ack when possible, else through response_url).
 */
export function createPeerCommandListener(deps: AppDeps) {
  return async ({ command: body, ack: boltAck, respond, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    let acked = false;
    const ack = async (reply?: EphemeralMessage) => {
      if (acked) return;
      acked = true;
      await boltAck(reply);
    };
    const reply = async (message: EphemeralMessage) => {
      if (acked) await respond(message);
      else await ack(message);
    };

    const parsed = parsePeerCommand(body.text ?? '');
    if (!parsed.ok) {
      await ack(
        parsed.reason === 'unknown'
          ? buildHelpMessage(parsed.word)
          : buildEphemeralText(`${parsed.message}\nUsage: ${inlineCode(parsed.usage, 80)}`),
      );
      return;
    }

    const actor = requireActor(context);
    const command: PeerCommand = parsed.command;
    const handler = subcommandHandlers[command.name] as SubcommandHandler<SubcommandName>;
    try {
      await handler({ command, body, actor, deps, ack, respond });
    } catch (error) {
      if (isAppError(error)) {
        await reply(buildEphemeralText(error.message));
        return;
      }
      deps.logger.error({ err: error, teamId: actor.teamId, userId: actor.userId, subcommand: command.name }, '/peer failed');
      await reply(buildEphemeralText(UNEXPECTED_ERROR_TEXT)).catch(() => undefined);
    }
  };
}
