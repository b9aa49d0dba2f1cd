import { z } from 'zod';
import { inlineCode } from './blocks/text.js';
import { parseExportDates } from '../services/export-range.js';

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

const SESSION_NUMBER_MAX = 1_000_000_000;

/** Reads "42" or "#42" from the start of the text; the message names what was typed (escaped). */
function sessionNumberArgs(verb: string, withRest: boolean) {
  return z.string().transform((text, ctx) => {
    const trimmed = text.trim();
    const match = /^#?(\d+)(?:\s+([\s\S]*))?$/.exec(trimmed);
    if (trimmed === '') {
      ctx.addIssue({ code: 'custom', message: `Which session? Add its number, e.g. \`/peer ${verb} 42\`. \`/peer list\` shows the numbers.` });
      return z.NEVER;
    }
    const number = match === null ? NaN : Number(match[1]);
    if (match === null || (!withRest && match[2] !== undefined) || !Number.isSafeInteger(number) || number < 1 || number > SESSION_NUMBER_MAX) {
      const word = trimmed.split(/\s+/)[0] ?? trimmed;
      ctx.addIssue({ code: 'custom', message: `${inlineCode(word, 40)} is not a session number. Session numbers look like 42; \`/peer list\` shows them.` });
      return z.NEVER;
    }
    const rest = match[2]?.trim() ?? '';
    return { number, rest: rest === '' ? null : rest };
  });
}

const listArgs = z.string().transform((text, ctx) => {
  const word = text.trim().toLowerCase();
  if (word === '' || word === 'all') return { mine: false };
  if (word === 'mine' || word === 'my') return { mine: true };
  ctx.addIssue({ code: 'custom', message: `I can list all upcoming sessions or just yours, not ${inlineCode(text.trim(), 40)}.` });
  return z.NEVER;
});

/**
 * `/peer learned <skill>`: the skill as typed (the handler matches it against the person's list),
 * or null. One pair of quotes or backticks around it is not part of the name (`/peer learned "SQL"`).
 */
const learnedArgs = z.string().transform((text) => {
  const trimmed = text.trim();
  const quoted = /^(["'`\u201c\u2018])([\s\S]*)(["'`\u201d\u2019])$/.exec(trimmed);
  const skill = (quoted === null ? trimmed : quoted[2]!).trim();
  return { skill: skill === '' ? null : skill };
});

/** A subcommand about the person who typed it: anything after it is refused rather than ignored. */
function nothingAfter(example: string, what: string) {
  return z.string().transform((text, ctx) => {
    const extra = text.trim();
    if (extra === '') return {};
    ctx.addIssue({ code: 'custom', message: `\`${example}\` ${what}, so it takes nothing after it (you typed ${inlineCode(extra, 40)}).` });
    return z.NEVER;
  });
}

const matchArgs = z.string().transform((text, ctx) => {
  const word = text.trim().toLowerCase();
  if (word === '') return { action: 'suggest' as const };
  if (word === 'setup') return { action: 'setup' as const };
  if (word === 'stop') return { action: 'stop' as const };
  ctx.addIssue({ code: 'custom', message: `\`/peer match\` suggests partners; \`/peer match setup\` (admins) sets up rounds in a channel. I don't know ${inlineCode(text.trim(), 40)}.` });
  return z.NEVER;
});

/** `/peer export [from] [to]`: zero, one or two dates, year first (services/export-range.ts says which forms). */
const exportArgs = z.string().transform((text, ctx) => {
  const parsed = parseExportDates(text);
  if (parsed.ok) return parsed.dates;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

export const SUBCOMMANDS = {
  help: { usage: '/peer help', summary: 'Show what Peerloop can do.', args: noArgs },
  schedule: { usage: '/peer schedule', summary: 'Schedule a peer session (opens a form).', args: noArgs },
  list: { usage: '/peer list [mine]', summary: 'Upcoming sessions in the next 14 days, with Join buttons; `mine` for yours.', args: listArgs },
  join: { usage: '/peer join <id>', summary: 'Join a session (or its waitlist when full).', args: sessionNumberArgs('join', false) },
  leave: { usage: '/peer leave <id>', summary: 'Leave a session you joined.', args: sessionNumberArgs('leave', false) },
  edit: { usage: '/peer edit <id>', summary: 'Change a session you host or scheduled.', args: sessionNumberArgs('edit', false) },
  cancel: { usage: '/peer cancel <id> [reason]', summary: 'Cancel a session you host or scheduled; attendees get a DM.', args: sessionNumberArgs('cancel', true) },
  attended: { usage: '/peer attended <id>', summary: 'Tick who came to a session you hosted.', args: sessionNumberArgs('attended', false) },
  calendar: { usage: '/peer calendar', summary: "Get your workspace's calendar feed to subscribe from Google Calendar or Outlook.", args: noArgs },
  skills: { usage: '/peer skills', summary: 'Your skills profile: what you can teach and want to learn, your role, matching (opens a form).', args: noArgs },
  learned: { usage: '/peer learned <skill>', summary: 'Mark a skill you wanted to learn as learned, and name who taught you.', args: learnedArgs },
  optout: { usage: '/peer optout', summary: 'Stop all DMs from Peerloop (reminders, the weekly "your week").', args: noArgs },
  optin: { usage: '/peer optin', summary: 'Get DMs from Peerloop again.', args: noArgs },
  match: { usage: '/peer match [setup|stop]', summary: 'Your three best learning partners right now; `setup` / `stop` (admins) run matching rounds in this channel.', args: matchArgs },
  stats: { usage: '/peer stats', summary: 'Your own numbers: sessions attended and hosted, their rating, skills learned, people you taught.', args: nothingAfter('/peer stats', 'shows only your own numbers') },
  digest: {
    usage: '/peer digest',
    summary: "Preview last week's KPI digest privately, with its chart; admins can post it to the digest channel.",
    args: nothingAfter('/peer digest', "previews last week's digest"),
  },
  settings: { usage: '/peer settings', summary: 'Workspace settings: reminder times, weekly DM, poll question, the weekly digest and KPI targets (admins).', args: noArgs },
  export: { usage: '/peer export [from] [to]', summary: 'Sessions, attendance, votes and learned skills as CSV files in your DM; dates like 2026-11-01, the last 90 days by default (admins).', args: exportArgs },
} satisfies Record<string, SubcommandSpec>;

export type SubcommandName = keyof typeof SUBCOMMANDS;

export type PeerCommand = {
  [K in SubcommandName]: { name: K } & z.output<(typeof SUBCOMMANDS)[K]['args']>;
}[SubcommandName];

export type ParseResult =
  | { ok: true; command: PeerCommand }
  | { ok: false; reason: 'unknown'; word: string }
  | { ok: false; reason: 'invalid'; name: SubcommandName; message: string; usage: string };

/** Slack sends &, < and > in a command's text as &amp;, &lt; and &gt;: read what the person typed. */
function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function parsePeerCommand(text: string): ParseResult {
  const trimmed = unescapeSlackText(text).trim();
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
