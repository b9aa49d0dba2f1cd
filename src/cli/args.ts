import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';

/**
 * Command-line flags for the tools that run without Slack (`npm run demo`, `npm run report`):
 * node:util's parser finds the flags (unknown ones refused), a zod schema checks the values,
 * and every problem is one short line naming the flag. Usage problems exit with 2.
 */

export type FlagsResult<T> = { ok: true; flags: T } | { ok: false; message: string };

type Options = NonNullable<ParseArgsConfig['options']>;

/** `example`: a flag with its value, shown when a bare argument is given ("--team T0123ABCD"). */
export function parseFlags<T>(argv: readonly string[], options: Options, schema: z.ZodType<T>, example: string): FlagsResult<T> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    return { ok: false, message: describeParseError(error, example) };
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join('\n') };
  return { ok: true, flags: parsed.data };
}

/** node:util's messages are long and written for programmers; these say what to change. */
function describeParseError(error: unknown, example: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `Unknown option ${quoted ?? message}.`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--[\w-]+/.exec(message)?.[0];
    if (flag === undefined) return message;
    // "--small=yes" (a switch given a value) versus "--team" or "--team --json" (a value missing).
    return message.includes('does not take an argument') ? `${flag} takes no value.` : `${flag} needs a value.`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `Unexpected argument ${quoted === undefined ? message : `"${quoted}"`}: every value follows its flag, such as ${example}.`;
  return message;
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** `--week`: a real calendar date that is a Monday, written YYYY-MM-DD; a wrong day names the Monday before it. */
export const WeekStartFlag = z.string().superRefine((text, ctx) => {
  const match = YMD.exec(text);
  const date = match === null ? undefined : new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (match === null || date === undefined || date.getUTCDate() !== Number(match[3]) || date.getUTCMonth() !== Number(match[2]) - 1) {
    ctx.addIssue({ code: 'custom', message: `--week "${text}" is not a date: give the Monday the week starts on, as YYYY-MM-DD (such as 2026-11-16).` });
    return;
  }
  const weekday = date.getUTCDay();
  if (weekday !== 1) {
    const monday = new Date(date.getTime() - ((weekday + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    ctx.addIssue({ code: 'custom', message: `--week ${text} is a ${WEEKDAY_NAMES[weekday]}: give the Monday the week starts on (that week's is ${monday}).` });
  }
});
