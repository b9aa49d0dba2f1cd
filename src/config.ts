import { existsSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import cron from 'node-cron';
import { z } from 'zod';
import { isValidTimeZone } from './time-zones.js';

/**
 * The only reader of process.env. Parsed once at start-up and passed down, so nothing deep
 * in the code depends on the environment and tests can build a config by hand.
 */

// Unset and empty mean the same thing: `.env.example` copied as-is leaves many keys empty.
const optionalText = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().optional());

function withDefault<T extends z.ZodType>(schema: T, fallback: z.input<T>) {
  return z.preprocess((v) => (v === undefined || (typeof v === 'string' && v.trim() === '') ? fallback : v), schema);
}

const slackUserId = /^[UW][A-Z0-9]{2,}$/;

/**
 * An address that paths are appended to (PUBLIC_URL + `/calendar/...`, SLACK_API_URL + method
 * name), so it may carry a path but nothing that would end up in the middle of the result: a
 * query string or fragment breaks every link, and a user name or password would be posted into
 * Slack with each one.
 */
function baseUrl(notAUrl: string, why: string) {
  return z
    .string()
    .trim()
    .pipe(z.url({ protocol: /^https?$/, error: notAUrl }))
    .pipe(
      z.string().superRefine((url, ctx) => {
        const parts: string[] = [];
        // Checked on the text: `new URL('https://x/?')` reports an empty search yet keeps the "?".
        if (url.includes('?')) parts.push('the query string ("?...")');
        if (url.includes('#')) parts.push('the fragment ("#...")');
        const { username, password } = new URL(url);
        if (username !== '' || password !== '' || /^[^:/?#]+:\/\/[^/?#]*@/.test(url)) parts.push('the user name and password');
        if (parts.length > 0) {
          const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
          ctx.addIssue({ code: 'custom', message: `must be a plain address: remove ${list} (${why})` });
        }
      }),
    );
}

/** The userinfo part of anything URL-like (`scheme://user:pw@host`, or `user:pw@host`) hidden. */
function redactCredentials(value: string): string {
  return value.replace(/^((?:[^:/?#]+:)?\/\/)?[^/?#]*@/, (_match, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

/**
 * The spelling to store for a zone Intl accepts in any case: `europe/berlin` -> `Europe/Berlin`.
 * Intl also swaps some current names for old aliases (`Asia/Kolkata` -> `Asia/Calcutta`,
 * `Europe/Kyiv` -> `Europe/Kiev` on Node 20), so a name typed in mixed case is kept as typed
 * unless only its case differs from Intl's; an all-lower or all-upper alias gets Intl's name.
 */
function canonicalTimeZone(zone: string): string {
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  if (resolved.toLowerCase() === zone.toLowerCase()) return resolved;
  return zone === zone.toLowerCase() || zone === zone.toUpperCase() ? resolved : zone;
}

// Not an environment variable: the one message for every way PORT can be wrong.
const portProblem = 'must be a whole number from 0 to 65535, in plain digits';

export const Env = z
  .object({
    SLACK_BOT_TOKEN: optionalText.pipe(
      z
        .string({ error: 'is not set: paste the Bot User OAuth Token (starts with xoxb-) from OAuth & Permissions in your Slack app settings' })
        .regex(/^xoxb-[A-Za-z0-9-]+$/, 'must be a bot token starting with xoxb- (OAuth & Permissions > Bot User OAuth Token)'),
    ),
    SLACK_SIGNING_SECRET: optionalText.pipe(
      z.string().regex(/^[a-f0-9]{16,64}$/i, 'must be the Signing Secret from Basic Information > App Credentials (32 hex characters; copy it again, the value looks cut or mistyped)').optional(),
    ),
    SLACK_APP_TOKEN: optionalText.pipe(
      z.string().regex(/^xapp-[A-Za-z0-9-]+$/, 'must be an app-level token starting with xapp- (Basic Information > App-Level Tokens, scope connections:write)').optional(),
    ),
    // Exactly one trailing slash: the Web API client appends the method name to it as-is.
    SLACK_API_URL: withDefault(baseUrl('must be an http(s) URL such as https://slack.com/api/', 'Peerloop appends each Web API method name to it'), 'https://slack.com/api/').transform(
      (url) => `${url.replace(/\/+$/, '')}/`,
    ),
    // 0 asks the system for a free port (tests and benchmarks use it). Plain digits only: Number()
    // would also read `1e3` and `0x50`.
    PORT: withDefault(
      z.string().trim().regex(/^\d+$/, portProblem).transform(Number).pipe(z.number().max(65535, portProblem)),
      '3000',
    ),
    DATABASE_PATH: withDefault(z.string().min(1), './data/peerloop.db'),
    LOG_LEVEL: withDefault(
      z.string().trim().toLowerCase().pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { error: 'must be one of trace, debug, info, warn, error, fatal, silent' })),
      'info',
    ),
    DEFAULT_TIMEZONE: withDefault(
      z.string().trim().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin or America/New_York').transform(canonicalTimeZone),
      'UTC',
    ),
    PEERLOOP_ADMINS: withDefault(z.string(), '')
      .transform((raw) => raw.split(/[\s,]+/).filter(Boolean))
      .pipe(z.array(z.string().regex(slackUserId, 'must be Slack user ids separated by commas, such as U012ABCDEF,U034GHIJKL'))),
    // A path prefix (https://example.com/peerloop) is kept; links append /calendar/... to it.
    PUBLIC_URL: optionalText.pipe(
      baseUrl(
        'must be the public http(s) address of this app, such as https://peerloop.example.com',
        'Peerloop appends /calendar/... to it and posts those links in Slack',
      )
        .transform((url) => url.replace(/\/+$/, ''))
        .optional(),
    ),
    SCHEDULER_TICK: withDefault(
      z.string().refine((expr) => cron.validate(expr), 'must be a cron expression such as "* * * * *" (every minute)'),
      '* * * * *',
    ),
    SCHEDULER_HEARTBEAT_SECONDS: withDefault(
      z
        .string()
        .trim()
        .regex(/^\d+$/, 'must be a whole number of seconds from 1 to 60')
        .transform(Number)
        .pipe(z.number().min(1, 'must be a whole number of seconds from 1 to 60').max(60, 'must be a whole number of seconds from 1 to 60')),
      '5',
    ),
  });

export type Env = z.infer<typeof Env>;

export interface Config {
  slack: {
    botToken: string;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
    socketMode: boolean;
  };
  port: number;
  databasePath: string;
  logLevel: Env['LOG_LEVEL'];
  defaultTimeZone: string;
  admins: readonly string[];
  publicUrl: string | undefined;
  schedulerTick: string;
  /**
   * How often each process records that it is alive. A process silent for four beats (and at
   * least 12 s plus two beats: jobs/scheduler.ts leaseForHeartbeat) is taken for dead, and its
   * running jobs are taken over (after checking what it had already posted).
   */
  schedulerHeartbeatMs: number;
}

/** `warnings`: settings Peerloop could read but that should be fixed (logged once at start-up). */
export type ConfigResult = { ok: true; config: Config; warnings: string[] } | { ok: false; problems: string[] };

/** The settings whose values are pasted from Slack's pages, where quotes sneak in. */
const PASTED_SECRETS = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'] as const;

// Curly quotes come from notes apps and chat; Docker's --env-file keeps straight ones literally
// (dotenv strips a straight pair itself, so these mostly arrive through the real environment).
const DOUBLE_QUOTES = '"\u201C\u201D\u201E';
const SINGLE_QUOTES = "'\u2018\u2019";
const ANY_QUOTE = new RegExp(`[${DOUBLE_QUOTES}${SINGLE_QUOTES}\`]`);

type Unquoted = { value: string | undefined; warning?: string; problem?: string };

/**
 * A token or secret wrapped in one pair of quotes is unwrapped with a warning (the value inside is
 * what Slack gave); a quote anywhere else means the value is not what was meant, said as such
 * rather than as "must start with xoxb-".
 */
export function unquoteSecret(name: string, raw: string | undefined): Unquoted {
  if (raw === undefined) return { value: raw };
  const value = raw.trim();
  const first = value.at(0) ?? '';
  const last = value.at(-1) ?? '';
  const pair = value.length >= 2 && ((DOUBLE_QUOTES.includes(first) && DOUBLE_QUOTES.includes(last)) || (SINGLE_QUOTES.includes(first) && SINGLE_QUOTES.includes(last)));
  const inner = pair ? value.slice(1, -1).trim() : value;
  if (ANY_QUOTE.test(inner)) {
    const found = [...new Set([...inner].filter((c) => ANY_QUOTE.test(c)))].join(' ');
    return { value: raw, problem: `${name} contains a quote character (${found}): copy the value again and write it without quotes, as ${name}=value` };
  }
  if (!pair) return { value: raw };
  return {
    value: inner,
    warning: `${name} is wrapped in quotes (${first}…${last}); Peerloop removed them. Remove them from your .env or --env-file (Docker keeps quotes as part of the value) so the value is used as-is.`,
  };
}

/** Parses an environment; every problem becomes one line naming the variable. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const unquoted: Record<string, string | undefined> = { ...env };
  const warnings: string[] = [];
  const quoteProblems = new Map<string, string>();
  for (const name of PASTED_SECRETS) {
    const result = unquoteSecret(name, env[name]);
    unquoted[name] = result.value;
    if (result.warning !== undefined) warnings.push(result.warning);
    if (result.problem !== undefined) quoteProblems.set(name, result.problem);
  }
  const blank = (name: string) => (unquoted[name] ?? '').trim() === '';
  // Socket Mode never verifies request signatures, so a leftover SLACK_SIGNING_SECRET, valid or
  // not, is not read at all rather than blocking start-up.
  const socketMode = !blank('SLACK_APP_TOKEN');
  const input = socketMode ? { ...unquoted, SLACK_SIGNING_SECRET: undefined } : unquoted;
  if (socketMode) {
    quoteProblems.delete('SLACK_SIGNING_SECRET');
    const ignored = warnings.findIndex((w) => w.startsWith('SLACK_SIGNING_SECRET '));
    if (ignored !== -1) warnings.splice(ignored, 1);
  }
  const parsed = Env.safeParse(input);
  const problems = [...quoteProblems.values()];
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const name = String(issue.path[0] ?? 'environment');
    // The quote is what to fix; the format message ("must start with xoxb-") would mislead.
    if (quoteProblems.has(name)) continue;
    const raw = input[name];
    const shown = raw === undefined || raw.trim() === '' || /TOKEN|SECRET/.test(name) ? '' : ` (got "${redactCredentials(raw.trim())}")`;
    problems.push(`${name} ${issue.message}${shown}`);
  }
  // HTTP mode needs the signing secret to verify requests; Socket Mode does not.
  if (!socketMode && blank('SLACK_SIGNING_SECRET') && !quoteProblems.has('SLACK_SIGNING_SECRET')) {
    problems.push(
      'SLACK_SIGNING_SECRET is not set: paste the Signing Secret from Basic Information > App Credentials (or set SLACK_APP_TOKEN to use Socket Mode instead)',
    );
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  const e = parsed.data;
  return {
    ok: true,
    warnings,
    config: {
      slack: {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET,
        appToken: e.SLACK_APP_TOKEN,
        apiUrl: e.SLACK_API_URL,
        socketMode: e.SLACK_APP_TOKEN !== undefined,
      },
      port: e.PORT,
      databasePath: e.DATABASE_PATH,
      logLevel: e.LOG_LEVEL,
      defaultTimeZone: e.DEFAULT_TIMEZONE,
      admins: e.PEERLOOP_ADMINS,
      publicUrl: e.PUBLIC_URL,
      schedulerTick: e.SCHEDULER_TICK,
      schedulerHeartbeatMs: e.SCHEDULER_HEARTBEAT_SECONDS * 1000,
    },
  };
}

/** Reads `.env` when present (real environment variables win), then parses process.env. */
export function loadConfig(envFile = '.env'): ConfigResult {
  if (existsSync(envFile)) loadDotenv({ path: envFile, quiet: true });
  return parseConfig(process.env);
}

export type DatabaseConfigResult = { ok: true; databasePath: string } | { ok: false; problems: string[] };

/**
 * Only DATABASE_PATH, for tools that touch the database and nothing else (npm run backup): they
 * must work on a machine or in a shell that has no Slack tokens.
 */
export function loadDatabaseConfig(envFile = '.env', env: Record<string, string | undefined> = process.env): DatabaseConfigResult {
  if (existsSync(envFile)) loadDotenv({ path: envFile, quiet: true, processEnv: env as NodeJS.ProcessEnv });
  const parsed = Env.pick({ DATABASE_PATH: true }).safeParse(env);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => `DATABASE_PATH ${issue.message}`) };
  return { ok: true, databasePath: parsed.data.DATABASE_PATH };
}
