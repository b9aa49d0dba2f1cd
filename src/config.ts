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
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Parses an environment; every problem becomes one line naming the variable. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const blank = (name: string) => (env[name] ?? '').trim() === '';
  // Socket Mode never verifies request signatures, so a leftover SLACK_SIGNING_SECRET, valid or
  // not, is not read at all rather than blocking start-up.
  const input = blank('SLACK_APP_TOKEN') ? env : { ...env, SLACK_SIGNING_SECRET: undefined };
  const parsed = Env.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const raw = input[name];
        const shown = raw === undefined || raw.trim() === '' || /TOKEN|SECRET/.test(name) ? '' : ` (got "${redactCredentials(raw.trim())}")`;
        return `${name} ${issue.message}${shown}`;
      });
  // HTTP mode needs the signing secret to verify requests; Socket Mode does not.
  if (blank('SLACK_APP_TOKEN') && blank('SLACK_SIGNING_SECRET')) {
    problems.push(
      'SLACK_SIGNING_SECRET is not set: paste the Signing Secret from Basic Information > App Credentials (or set SLACK_APP_TOKEN to use Socket Mode instead)',
    );
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  const e = parsed.data;
  return {
    ok: true,
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
    },
  };
}

/** Reads `.env` when present (real environment variables win), then parses process.env. */
export function loadConfig(envFile = '.env'): ConfigResult {
  if (existsSync(envFile)) loadDotenv({ path: envFile, quiet: true });
  return parseConfig(process.env);
}
