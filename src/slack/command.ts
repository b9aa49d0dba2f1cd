import { z } from 'zod';

/**
 * `/peer <subcommand> [args]` text -> a typed command. Each subcommand names its usage, a
 * one-line summary (what `/peer help` shows) and a zod schema over the rest of the text.
 * Help lists exactly what is registered here, so it never advertises something unbuilt.
 */
export interface SubcommandSpec<S extends z.ZodType = z.ZodType> {
  usage: string;
  summary: string;
  args: S;
}

const noArgs = z.string().transform(() => ({}));

export const SUBCOMMANDS = {
  help: { usage: '/peer help', summary: 'Show what Peerloop can do.', args: noArgs },
} satisfies Record<string, SubcommandSpec>;

export type SubcommandName = keyof typeof SUBCOMMANDS;

export type PeerCommand = {
  [K in SubcommandName]: { name: K } & z.output<(typeof SUBCOMMANDS)[K]['args']>;
}[SubcommandName];

export type ParseResult =
  | { ok: true; command: PeerCommand }
  | { ok: false; reason: 'unknown'; word: string }
  | { ok: false; reason: 'invalid'; name: SubcommandName; message: string; usage: string };

export function parsePeerCommand(text: string): ParseResult {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  const word = match?.[1] ?? 'help';
  const rest = match?.[2] ?? '';
  const name = word.toLowerCase();
  if (!Object.hasOwn(SUBCOMMANDS, name)) return { ok: false, reason: 'unknown', word };
  const spec: SubcommandSpec = SUBCOMMANDS[name as SubcommandName];
  const parsed = spec.args.safeParse(rest);
  if (!parsed.success) {
    return { ok: false, reason: 'invalid', name: name as SubcommandName, message: parsed.error.issues[0]?.message ?? 'That did not look right.', usage: spec.usage };
  }
  return { ok: true, command: { name, ...(parsed.data as object) } as PeerCommand };
}
