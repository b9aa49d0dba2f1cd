import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { PeerCommand, SubcommandName } from '../../command.js';
import type { Actor } from '../../actor.js';
import type { AppDeps } from '../../../deps.js';
import type { EphemeralMessage } from '../../blocks/help.js';

/**
 * What each `/peer <name>` handler receives. It must call `ack` exactly once, within Slack's 3 s.
 *
 * Where the reply goes (measured by `npm run bench -- open`, issue 13): in the ack body when it
 * is built from the database alone in a few ms (help, list, join, opt-out: a parse, a permission
 * check, indexed reads, a one-row write), because the ack is the fastest way onto the person's
 * screen: at 50 requests/s the list's reply p99 fell from 88 ms through response_url to 10 ms in
 * the ack. After the ack (response_url, in the click lane) when it needs a Slack call, a read that
 * grows with the workspace's history (stats, digest, export), or more than ~10 ms of work, so it
 * cannot hold up the acks of other requests. Slack work that follows a reply (cards, calendar
 * files, Home) always comes after it. One exception, kept in the ack until measured: `/peer match`
 * (suggestions read the workspace's matchable people and recent history: about a millisecond per
 * hundred people; bench/matching.ts has the workspace-sized figures).
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
