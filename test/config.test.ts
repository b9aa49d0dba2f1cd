import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { Env, parseConfig, type Config, type ConfigResult } from '../src/config.js';

const TOKEN = 'xoxb-1234-5678-abcdefSECRETtoken';
const SECRET = '0123456789abcdef0123456789abcdef';
const APP_TOKEN = 'xapp-1-A0123-456-deadbeefSECRET';

function ok(result: ConfigResult): Config {
  if (!result.ok) throw new Error(`expected a valid config, got: ${result.problems.join(' | ')}`);
  return result.config;
}

function problems(result: ConfigResult): string[] {
  if (result.ok) throw new Error('expected the config to be refused');
  return result.problems;
}

/** A valid HTTP-mode environment plus `extra`. */
function withEnv(extra: Record<string, string | undefined>): ConfigResult {
  return parseConfig({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, ...extra });
}

/** The config is refused with exactly one problem, a single line that starts with the variable's name. */
function expectOneLineAbout(result: ConfigResult, name: string): string {
  const lines = problems(result);
  expect(lines).toHaveLength(1);
  const line = lines[0]!;
  expect(line.startsWith(`${name} `)).toBe(true);
  expect(line).not.toContain('\n');
  return line;
}

describe('parseConfig defaults', () => {
  it('fills every optional setting with its documented default', () => {
    const config = ok(withEnv({}));
    expect(config).toEqual({
      slack: { botToken: TOKEN, signingSecret: SECRET, appToken: undefined, apiUrl: 'https://slack.com/api/', socketMode: false },
      port: 3000,
      databasePath: './data/peerloop.db',
      logLevel: 'info',
      defaultTimeZone: 'UTC',
      admins: [],
      publicUrl: undefined,
      schedulerTick: '* * * * *',
      schedulerHeartbeatMs: 5_000,
    } satisfies Config);
  });

  it('treats empty values (a copied .env.example) like unset ones', () => {
    const config = ok(
      withEnv({ SLACK_APP_TOKEN: '', SLACK_API_URL: '', PORT: '  ', DATABASE_PATH: '', LOG_LEVEL: '', DEFAULT_TIMEZONE: '', PEERLOOP_ADMINS: '', PUBLIC_URL: '', SCHEDULER_TICK: '' }),
    );
    expect(config.port).toBe(3000);
    expect(config.slack.socketMode).toBe(false);
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.publicUrl).toBeUndefined();
  });

  it('reads the values given', () => {
    const config = ok(
      withEnv({
        SLACK_API_URL: 'http://127.0.0.1:9999/api',
        PORT: '8080',
        DATABASE_PATH: '/var/lib/peerloop/p.db',
        LOG_LEVEL: 'debug',
        DEFAULT_TIMEZONE: 'Europe/Berlin',
        PEERLOOP_ADMINS: 'U012ABCDEF, W034GHIJKL',
        PUBLIC_URL: 'https://peerloop.example.com/',
        SCHEDULER_TICK: '*/5 * * * *',
      }),
    );
    // A trailing slash is added to the API URL (the SDK joins method names onto it) and removed from PUBLIC_URL.
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(config.publicUrl).toBe('https://peerloop.example.com');
    expect(config.port).toBe(8080);
    expect(config.databasePath).toBe('/var/lib/peerloop/p.db');
    expect(config.logLevel).toBe('debug');
    expect(config.defaultTimeZone).toBe('Europe/Berlin');
    expect(config.admins).toEqual(['U012ABCDEF', 'W034GHIJKL']);
    expect(config.schedulerTick).toBe('*/5 * * * *');
  });

  it('accepts PORT=0 (pick a free port), as tests and the process test rely on', () => {
    expect(ok(withEnv({ PORT: '0' })).port).toBe(0);
  });
});

describe('parseConfig bad input: one line naming the variable', () => {
  it('PORT=abc', () => {
    const line = expectOneLineAbout(withEnv({ PORT: 'abc' }), 'PORT');
    expect(line).toContain('whole number');
    expect(line).toContain('"abc"');
  });

  it('PORT out of range or fractional', () => {
    expectOneLineAbout(withEnv({ PORT: '70000' }), 'PORT');
    expectOneLineAbout(withEnv({ PORT: '-1' }), 'PORT');
    expectOneLineAbout(withEnv({ PORT: '80.5' }), 'PORT');
  });

  it('SLACK_API_URL=notaurl', () => {
    const line = expectOneLineAbout(withEnv({ SLACK_API_URL: 'notaurl' }), 'SLACK_API_URL');
    expect(line).toContain('URL');
    expect(line).toContain('"notaurl"');
  });

  it('SLACK_API_URL with a protocol other than http(s)', () => {
    expectOneLineAbout(withEnv({ SLACK_API_URL: 'ftp://slack.com/api/' }), 'SLACK_API_URL');
  });

  it('a LOG_LEVEL that does not exist', () => {
    const line = expectOneLineAbout(withEnv({ LOG_LEVEL: 'verbose' }), 'LOG_LEVEL');
    expect(line).toContain('trace, debug, info, warn, error, fatal, silent');
  });

  it('a DEFAULT_TIMEZONE that is not an IANA zone', () => {
    const line = expectOneLineAbout(withEnv({ DEFAULT_TIMEZONE: 'Mars/Olympus_Mons' }), 'DEFAULT_TIMEZONE');
    expect(line).toContain('IANA');
  });

  it('PEERLOOP_ADMINS that are not Slack user ids', () => {
    const line = expectOneLineAbout(withEnv({ PEERLOOP_ADMINS: 'U012ABCDEF,@alice' }), 'PEERLOOP_ADMINS');
    expect(line).toContain('user ids');
  });

  it('a PUBLIC_URL that is not a URL, and a SCHEDULER_TICK that is not a cron expression', () => {
    expectOneLineAbout(withEnv({ PUBLIC_URL: 'peerloop.example.com' }), 'PUBLIC_URL');
    expectOneLineAbout(withEnv({ SCHEDULER_TICK: 'every minute' }), 'SCHEDULER_TICK');
  });

  it('a SCHEDULER_HEARTBEAT_SECONDS that is not 1 to 60 whole seconds; a good one is read in milliseconds', () => {
    for (const bad of ['0', '61', '2.5', 'five', '-1']) {
      expect(expectOneLineAbout(withEnv({ SCHEDULER_HEARTBEAT_SECONDS: bad }), 'SCHEDULER_HEARTBEAT_SECONDS')).toContain('1 to 60');
    }
    const result = withEnv({ SCHEDULER_HEARTBEAT_SECONDS: ' 2 ' });
    expect(result.ok && result.config.schedulerHeartbeatMs).toBe(2_000);
  });

  it('reports a missing token and a missing signing secret together, one line each', () => {
    const lines = problems(parseConfig({}));
    expect(lines).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('SLACK_BOT_TOKEN '))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('SLACK_SIGNING_SECRET '))).toHaveLength(1);
    for (const line of lines) {
      expect(line).not.toContain('\n');
      expect(line).toContain('is not set');
    }
  });

  it('reports every problem at once, not just the first', () => {
    const lines = problems(parseConfig({ PORT: 'abc', SLACK_API_URL: 'notaurl', LOG_LEVEL: 'loud' }));
    const names = lines.map((l) => l.split(' ')[0]).sort();
    expect(names).toEqual(['LOG_LEVEL', 'PORT', 'SLACK_API_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']);
  });

  it('a token of the wrong kind is named, and neither tokens nor secrets are ever echoed', () => {
    // Each value carries a marker that appears nowhere in the messages themselves.
    const userToken = 'xoxp-999-zq9marker';
    const badSecret = 'not-hex-zq9marker!';
    const badAppToken = 'xoxb-wrong-kind-zq9marker';
    // The signing secret is only read in HTTP mode (no SLACK_APP_TOKEN), so it is checked on its own.
    const socketLines = problems(parseConfig({ SLACK_BOT_TOKEN: userToken, SLACK_APP_TOKEN: badAppToken }));
    expect(socketLines.map((l) => l.split(' ')[0]).sort()).toEqual(['SLACK_APP_TOKEN', 'SLACK_BOT_TOKEN']);
    const httpLines = problems(parseConfig({ SLACK_BOT_TOKEN: userToken, SLACK_SIGNING_SECRET: badSecret }));
    expect(httpLines.map((l) => l.split(' ')[0]).sort()).toEqual(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']);
    const all = [...socketLines, ...httpLines].join('\n');
    expect(all).toContain('xoxb-');
    for (const value of [userToken, badSecret, badAppToken, 'zq9marker']) expect(all).not.toContain(value);
  });
});

describe('parseConfig URLs: only an address, nothing links cannot carry', () => {
  it.each([
    ['a query string', 'https://peerloop.example.com/?a=1', 'query string'],
    ['an empty query string', 'https://peerloop.example.com/?', 'query string'],
    ['a fragment', 'https://peerloop.example.com/#f', 'fragment'],
  ])('PUBLIC_URL with %s is refused, quoting the value', (_what, value, reason) => {
    const line = expectOneLineAbout(withEnv({ PUBLIC_URL: value }), 'PUBLIC_URL');
    expect(line).toContain(reason);
    expect(line).toContain(`(got "${value}")`);
  });

  it('PUBLIC_URL with a user name and password is refused, and the credentials are not printed', () => {
    const line = expectOneLineAbout(withEnv({ PUBLIC_URL: 'https://alice:zq9pass@peerloop.example.com/' }), 'PUBLIC_URL');
    expect(line).toContain('user name and password');
    expect(line).toContain('(got "https://***@peerloop.example.com/")');
    expect(line).not.toContain('alice');
    expect(line).not.toContain('zq9pass');
  });

  it('PUBLIC_URL with a user name only is refused too', () => {
    const line = expectOneLineAbout(withEnv({ PUBLIC_URL: 'https://alice@peerloop.example.com' }), 'PUBLIC_URL');
    expect(line).not.toContain('alice');
  });

  it('PUBLIC_URL keeps a path prefix and drops trailing slashes (links append /calendar/...)', () => {
    expect(ok(withEnv({ PUBLIC_URL: 'https://example.com/peerloop' })).publicUrl).toBe('https://example.com/peerloop');
    expect(ok(withEnv({ PUBLIC_URL: 'https://example.com/peerloop/' })).publicUrl).toBe('https://example.com/peerloop');
    expect(ok(withEnv({ PUBLIC_URL: ' https://peerloop.example.com// ' })).publicUrl).toBe('https://peerloop.example.com');
  });

  it.each([
    ['a query string', 'https://slack.com/api/?x=1', 'query string'],
    ['a fragment', 'https://slack.com/api/#top', 'fragment'],
  ])('SLACK_API_URL with %s is refused, quoting the value', (_what, value, reason) => {
    const line = expectOneLineAbout(withEnv({ SLACK_API_URL: value }), 'SLACK_API_URL');
    expect(line).toContain(reason);
    expect(line).toContain(`(got "${value}")`);
  });

  it('SLACK_API_URL with credentials is refused without printing them', () => {
    const line = expectOneLineAbout(withEnv({ SLACK_API_URL: 'https://bob:zq9pass@slack.com/api/' }), 'SLACK_API_URL');
    expect(line).toContain('(got "https://***@slack.com/api/")');
    expect(line).not.toContain('zq9pass');
    expect(line).not.toContain('bob');
  });

  it('SLACK_API_URL ends in exactly one slash (the SDK appends the method name to it)', () => {
    expect(ok(withEnv({ SLACK_API_URL: 'https://slack-gov.com/api' })).slack.apiUrl).toBe('https://slack-gov.com/api/');
    expect(ok(withEnv({ SLACK_API_URL: 'https://slack-gov.com/api/' })).slack.apiUrl).toBe('https://slack-gov.com/api/');
    expect(ok(withEnv({ SLACK_API_URL: 'https://slack-gov.com/api///' })).slack.apiUrl).toBe('https://slack-gov.com/api/');
  });

  it('a value that is not a URL at all still gets one line, with credential-like parts hidden', () => {
    const line = expectOneLineAbout(withEnv({ PUBLIC_URL: 'carol:zq9pass@peerloop' }), 'PUBLIC_URL');
    expect(line).not.toContain('zq9pass');
  });
});

describe('parseConfig PORT: digits only', () => {
  it.each(['1e3', '0x50', '0b1', '+80', '80 80', '3000abc'])('PORT=%s is refused, quoting the value', (value) => {
    const line = expectOneLineAbout(withEnv({ PORT: value }), 'PORT');
    expect(line).toContain('whole number from 0 to 65535');
    expect(line).toContain(`(got "${value}")`);
  });

  it('accepts plain digits, with surrounding spaces, up to 65535', () => {
    expect(ok(withEnv({ PORT: '65535' })).port).toBe(65535);
    expect(ok(withEnv({ PORT: ' 8080 ' })).port).toBe(8080);
    expectOneLineAbout(withEnv({ PORT: '65536' }), 'PORT');
  });
});

describe('parseConfig LOG_LEVEL and DEFAULT_TIMEZONE forgive case and spaces', () => {
  it.each([
    ['INFO', 'info'],
    [' debug ', 'debug'],
    ['Warn', 'warn'],
  ])('LOG_LEVEL=%j becomes %s', (value, level) => {
    expect(ok(withEnv({ LOG_LEVEL: value })).logLevel).toBe(level);
  });

  it.each([
    ['europe/berlin', 'Europe/Berlin'],
    [' America/New_York ', 'America/New_York'],
    ['utc', 'UTC'],
    ['america/argentina/buenos_aires', new Intl.DateTimeFormat('en-US', { timeZone: 'America/Argentina/Buenos_Aires' }).resolvedOptions().timeZone],
  ])('DEFAULT_TIMEZONE=%j is stored as %s', (value, zone) => {
    expect(ok(withEnv({ DEFAULT_TIMEZONE: value })).defaultTimeZone).toBe(zone);
  });

  it.each(['Asia/Kolkata', 'Europe/Kyiv', 'America/Argentina/Buenos_Aires', 'Etc/UTC'])(
    'a correctly written current name (%s) is kept, not swapped for the alias Intl reports',
    (zone) => {
      expect(ok(withEnv({ DEFAULT_TIMEZONE: zone })).defaultTimeZone).toBe(zone);
    },
  );

  it('an unknown zone is still refused, quoting the value', () => {
    const line = expectOneLineAbout(withEnv({ DEFAULT_TIMEZONE: ' europe/atlantis ' }), 'DEFAULT_TIMEZONE');
    expect(line).toContain('europe/atlantis');
  });
});

describe('parseConfig Socket Mode', () => {
  it('needs no signing secret when SLACK_APP_TOKEN is set', () => {
    const config = ok(parseConfig({ SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: APP_TOKEN }));
    expect(config.slack.socketMode).toBe(true);
    expect(config.slack.appToken).toBe(APP_TOKEN);
    expect(config.slack.signingSecret).toBeUndefined();
  });

  it('ignores a leftover SLACK_SIGNING_SECRET entirely, even one that is not valid', () => {
    for (const leftover of ['not-hex-zq9marker!', 'abc', SECRET]) {
      const config = ok(parseConfig({ SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: leftover }));
      expect(config.slack.socketMode).toBe(true);
      expect(config.slack.signingSecret).toBeUndefined();
    }
  });

  it('an app token of the wrong kind is still reported, and the signing secret is not', () => {
    const lines = problems(parseConfig({ SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: 'xoxb-wrong', SLACK_SIGNING_SECRET: 'nothex' }));
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['SLACK_APP_TOKEN']);
  });

  it('still needs the bot token', () => {
    const lines = problems(parseConfig({ SLACK_APP_TOKEN: APP_TOKEN }));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith('SLACK_BOT_TOKEN ')).toBe(true);
  });
});

describe('.env.example and README.md document every setting', () => {
  const names = Object.keys(Env.shape);
  const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it('lists each variable the config reads, with a comment line above it', () => {
    const lines = example.split('\n');
    for (const name of names) {
      const at = lines.findIndex((l) => new RegExp(`^(# )?${name}=`).test(l));
      expect(at, `${name} missing from .env.example`).toBeGreaterThan(0);
      expect(lines[at - 1], `${name} needs a comment line`).toMatch(/^# \S/);
    }
    expect(names.length).toBeGreaterThanOrEqual(11);
  });

  it('a copied .env.example with only the two secrets filled in is a valid config', () => {
    const env = parseDotenv(example);
    expect(problems(parseConfig(env)).map((l) => l.split(' ')[0]).sort()).toEqual(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']);
    ok(parseConfig({ ...env, SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET }));
  });

  it('README opens with the two set-up commands and the test command', () => {
    expect(readme.startsWith('# Peerloop\n\n```sh\nnpm install\nnpm start\nnpm test\n```\n')).toBe(true);
  });

  it('has a row for each variable in the README configuration table', () => {
    for (const name of names) expect(readme, `${name} missing from README.md`).toContain(`| \`${name}\` |`);
  });
});

describe('tokens and secrets wrapped in quotes (Docker --env-file keeps them literally)', () => {
  function okWithWarnings(result: ConfigResult): { config: Config; warnings: string[] } {
    if (!result.ok) throw new Error(`expected a valid config, got: ${result.problems.join(' | ')}`);
    return { config: result.config, warnings: result.warnings };
  }

  it('a clean environment has no warnings', () => {
    expect(okWithWarnings(withEnv({})).warnings).toEqual([]);
  });

  it.each([
    ['straight double', `"${TOKEN}"`, '"…"'],
    ['straight single', `'${TOKEN}'`, "'…'"],
    ['curly double', `\u201C${TOKEN}\u201D`, '\u201C…\u201D'],
    ['curly single', `\u2018${TOKEN}\u2019`, '\u2018…\u2019'],
  ])('SLACK_BOT_TOKEN in %s quotes is unwrapped, with one warning naming the variable and the quotes', (_kind, raw, shown) => {
    const { config, warnings } = okWithWarnings(withEnv({ SLACK_BOT_TOKEN: raw }));
    expect(config.slack.botToken).toBe(TOKEN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^SLACK_BOT_TOKEN is wrapped in quotes/);
    expect(warnings[0]).toContain(`(${shown})`);
    expect(warnings[0]).toContain('Remove them');
    // The value itself is never echoed.
    expect(warnings[0]).not.toContain(TOKEN);
  });

  it('unwraps SLACK_SIGNING_SECRET and SLACK_APP_TOKEN too, one warning each', () => {
    const http = okWithWarnings(withEnv({ SLACK_SIGNING_SECRET: `"${SECRET}"` }));
    expect(http.config.slack.signingSecret).toBe(SECRET);
    expect(http.warnings.map((w) => w.split(' ')[0])).toEqual(['SLACK_SIGNING_SECRET']);
    const socket = okWithWarnings(withEnv({ SLACK_APP_TOKEN: `\u201C${APP_TOKEN}\u201D` }));
    expect(socket.config.slack.appToken).toBe(APP_TOKEN);
    expect(socket.config.slack.socketMode).toBe(true);
    expect(socket.warnings.map((w) => w.split(' ')[0])).toEqual(['SLACK_APP_TOKEN']);
  });

  it('a quoted signing secret in Socket Mode is not read, so it earns no warning', () => {
    const { warnings } = okWithWarnings(withEnv({ SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: `"${SECRET}"` }));
    expect(warnings).toEqual([]);
  });

  it.each([
    ['only an opening quote', `"${TOKEN}`, '"'],
    ['only a closing curly quote', `${TOKEN}\u201D`, '\u201D'],
    ['a quote inside', `xoxb-12"34`, '"'],
    ['mismatched kinds', `"${TOKEN}'`, `" '`],
  ])('SLACK_BOT_TOKEN with %s: one line about the quotes, not about xoxb-', (_kind, raw, shown) => {
    const line = expectOneLineAbout(withEnv({ SLACK_BOT_TOKEN: raw }), 'SLACK_BOT_TOKEN');
    expect(line).toContain(`contains a quote character (${shown})`);
    expect(line).toContain('without quotes');
    expect(line).not.toContain('must be a bot token');
    expect(line).not.toContain('xoxb-12');
  });

  it('a quoted value that is still wrong gets the usual format message after unwrapping', () => {
    const line = expectOneLineAbout(withEnv({ SLACK_BOT_TOKEN: '"xoxp-user-token"' }), 'SLACK_BOT_TOKEN');
    expect(line).toContain('must be a bot token starting with xoxb-');
  });
});
