import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { buildEphemeralText, type EphemeralMessage } from '../../blocks/help.js';
import { previewDigest } from '../../flows/digest.js';
import { followUps } from '../../follow-ups.js';
import type { SubcommandHandler } from './subcommand.js';

/**
 * `/peer digest` (anyone): last week's digest previewed privately, with its chart; admins get Post
 * to #channel now under it. Acked at once (computing the numbers and drawing the chart take longer
 * than an ack may); the preview goes to the asker's DM and the answer through response_url,
 * replacing the "Preparing" note. Built in the click lane (follow-ups.ts): the numbers and the
 * chart are CPU work, so a burst of previews runs two at a time instead of all at once.
 */
export const handleDigest: SubcommandHandler<'digest'> = async ({ body, actor, deps, ack }) => {
  await ack(buildEphemeralText('Preparing your preview of the weekly digest…'));
  await followUps(deps, deps.logger, 'clicks').run(undefined, async () => {
    let reply: EphemeralMessage;
    try {
      const preview = await previewDigest(deps, actor);
      reply = 'text' in preview ? buildEphemeralText(preview.text) : { response_type: 'ephemeral', text: preview.ephemeral.text, blocks: preview.ephemeral.blocks };
    } catch (error) {
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId, userId: actor.userId }, '/peer digest failed');
      reply = buildEphemeralText(isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT);
    }
    try {
      await deps.messenger.respond(body.response_url, { ...reply, replace_original: true });
    } catch (error) {
      deps.logger.warn({ err: error, teamId: actor.teamId, userId: actor.userId }, '/peer digest answer not delivered');
    }
  });
};
