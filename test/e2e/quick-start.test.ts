import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useBuiltApp, repoRoot } from '../support/built-app.js';
import { slashCommandBody } from '../support/payloads.js';

/**
 * The Socket Mode quick start, walked as a new user walks it: a `.env` in the folder Peerloop
 * runs from holding exactly the three values the quick start asks for (bot token, app-level token,
 * time zone), nothing in the real environment, and the bundle `npm start` runs. Only the Slack
 * address, the database file and the port are added, so the test talks to the fake Slack and
 * does not collide with anything on this machine.
 */

const root = repoRoot;
const used = useBuiltApp('quick-start');

describe('Socket Mode quick start', () => {
  it('with a .env of three values, /peer help sent over the socket is answered', async () => {
    const databasePath = join(used.work, 'data', 'peerloop.db');
    writeFileSync(
      join(used.work, '.env'),
      [
        // The quick start's three values.
        `SLACK_BOT_TOKEN=${used.fake.validToken}`,
        `SLACK_APP_TOKEN=${used.fake.validAppToken}`,
        'DEFAULT_TIMEZONE=Europe/Berlin',
        // Test isolation only: the fake Slack, a temp database, a free port.
        `SLACK_API_URL=${used.fake.apiUrl}`,
        `DATABASE_PATH=${databasePath}`,
        'PORT=0',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [join(root, 'dist/main.js')], {
      cwd: used.work,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: used.work },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
    try {
      await used.fake.socketMode.waitForConnection(50_000);
      const ack = await used.fake.socketMode.send('slash_commands', Object.fromEntries(new URLSearchParams(slashCommandBody('help'))));
      expect(ack.payload?.response_type).toBe('ephemeral');
      expect(ack.payload?.text).toContain('/peer schedule');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
      const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => l.msg === 'Peerloop is running')).toMatchObject({ mode: 'socket' });
      expect(lines.map((l) => l.msg)).toContain('Socket Mode connected');
      // No warnings on the quick start's happy path (no quote, no signing secret complaint).
      expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
      // The third value took effect: the workspace got the zone from .env.
      const db = new Database(databasePath, { readonly: true });
      expect(db.prepare('SELECT time_zone FROM workspaces').all()).toEqual([{ time_zone: 'Europe/Berlin' }]);
      db.close();
    } finally {
      clearTimeout(guard);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
