import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { PeerCommand, SubcommandName } from '../../command.js';
import type { Actor } from '../../actor.js';
import type { AppDeps } from '../../../deps.js';
import type { EphemeralMessage } from '../../blocks/help.js';

/**
 * What each `/peer <name>` handler receives. It must call `ack` exactly once, within Slack's 3 s.
 * Work done before the ack is only what decides its answer and takes microseconds (a parse, a
 * permission check, a one-row write such as opt-out, so the confirmation is true when shown);
 * anything slower or that calls Slack comes after it.
 */
export interface SubcommandArgs<K extends SubcommandName> {
  command: Extract<PeerCommand, { name: K }>;
  body: SlashCommand;
  actor: Actor;
  deps: AppDeps;
  ack: (reply?: EphemeralMessage) => Promise<void>;
  respond: RespondFn;
}

export type SubcommandHandler<K extends SubcommandName> = (args: SubcommandArgs<K>) => Promise<void>;
