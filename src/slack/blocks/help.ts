import { SUBCOMMANDS, type SubcommandSpec } from '../command.js';
import { BlockKitLimits } from './limits.js';
import { inlineCode, mrkdwn, truncate } from './text.js';

export interface EphemeralMessage {
  response_type: 'ephemeral';
  text: string;
  blocks: Record<string, unknown>[];
}

/** `/peer help`, or the answer to an unknown subcommand (which leads with what was not understood). */
export function buildHelpMessage(unknownWord?: string): EphemeralMessage {
  const specs: SubcommandSpec[] = Object.values(SUBCOMMANDS);
  const lines = specs.map((s) => `${inlineCode(s.usage, 80)}  ${s.summary}`);
  const intro =
    unknownWord === undefined
      ? "*Peerloop* runs peer-to-peer learning sessions right here in Slack. Here's what you can do:"
      : `I don't know ${inlineCode(`/peer ${unknownWord}`)}. Here's what you can do:`;
  const text = `${intro}\n${lines.join('\n')}`;
  return {
    response_type: 'ephemeral',
    text: text.slice(0, BlockKitLimits.messageText),
    blocks: [
      { type: 'section', text: mrkdwn(intro) },
      { type: 'section', text: mrkdwn(lines.join('\n')) },
    ],
  };
}

/** A short ephemeral reply: what happened, what to do next. */
export function buildEphemeralText(text: string): EphemeralMessage {
  // The notification text has its own, larger limit than the section; both are cut to fit.
  return { response_type: 'ephemeral', text: truncate(text, BlockKitLimits.messageText), blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
