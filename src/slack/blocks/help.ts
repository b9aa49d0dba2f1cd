import { SUBCOMMANDS, type SubcommandSpec } from '../command.js';
import { BlockKitLimits } from './limits.js';
import { inlineCode, mrkdwn } from './text.js';

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
  return { response_type: 'ephemeral', text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
