import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { PeerCommand, SubcommandName } from '../../command.js';
import type { Actor, AppDeps } from '../../deps.js';
import type { EphemeralMessage } from '../../blocks/help.js';

/** What each `/peer <name>` handler receives. It must call `ack` exactly once, within Slack's 3 s; before it only to put a refusal in the ack. */
export interface SubcommandArgs<K extends SubcommandName> {
  command: Extract<PeerCommand, { name: K }>;
  body: SlashCommand;
  actor: Actor;
  deps: AppDeps;
  ack: (reply?: EphemeralMessage) => Promise<void>;
  respond: RespondFn;
}

export type SubcommandHandler<K extends SubcommandName> = (args: SubcommandArgs<K>) => Promise<void>;
