import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { backupDatabase, defaultBackupPath } from '../../src/db/backup.js';
import { openDb } from '../../src/db/client.js';

/**
 * `npm run backup`: SQLite's online backup of the live database. It must be consistent while
 * another process keeps writing jobs (as the scheduler does), and it must work with nothing but
 * DATABASE_PATH set.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
let work: string;
let databasePath: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'peerloop-backup-'));
  databasePath = join(work, 'data', 'peerloop.db');
  const handle = openDb(databasePath);
  handle.sqlite.prepare("INSERT INTO workspaces (team_id, time_zone, created_at, updated_at) VALUES ('T0BACKUP', 'UTC', 0, 0)").run();
  // A few MB, so the backup takes many steps and the writer gets in between them.
  const insert = handle.sqlite.prepare("INSERT INTO jobs (team_id, kind, key, payload, run_at, created_at, updated_at) VALUES ('T0BACKUP', 'weekly', ?, ?, 0, 0, 0)");
  handle.sqlite.transaction(() => {
    for (let i = 0; i < 3_000; i += 1) insert.run(`seed:${i}`, JSON.stringify({ pad: 'x'.repeat(1_000) }));
  })();
  handle.close();
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Another process inserting jobs, one transaction each, until killed. */
function startWriter(): Promise<ChildProcess> {
  const script = join(work, 'writer.cjs');
  writeFileSync(
    script,
    `const Database = require(${JSON.stringify(join(root, 'node_modules/better-sqlite3'))});
const db = new Database(process.argv[2]);
db.pragma('busy_timeout = 5000');
const insert = db.prepare("INSERT INTO jobs (team_id, kind, key, payload, run_at, created_at, updated_at) VALUES ('T0BACKUP', 'weekly', ?, '{}', 0, 0, 0)");
let i = 0;
process.stdout.write('ready\\n');
for (;;) insert.run('live:' + process.pid + ':' + i++);
`,
  );
  const child = spawn(process.execPath, [script, databasePath], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout!.once('data', () => resolve(child)));
}

const countJobs = (path: string) => (new Database(path, { readonly: true }).prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;

describe('backupDatabase', () => {
  it('while another process writes jobs: the copy passes integrity_check and holds every job committed before it began', async () => {
    const writer = await startWriter();
    try {
      const live = new Database(databasePath, { readonly: true });
      // Let the writer commit some rows, then note what is committed as the backup begins.
      while ((live.prepare("SELECT count(*) AS n FROM jobs WHERE key LIKE 'live:%'").get() as { n: number }).n < 200) await new Promise((r) => setTimeout(r, 5));
      const keysBefore = (live.prepare('SELECT key FROM jobs').all() as { key: string }[]).map((r) => r.key);
      live.close();
      const { path, bytes } = await backupDatabase(databasePath, join(work, 'out', 'copy.db'), createSettableClock());
      expect(writer.exitCode).toBeNull();

      expect(bytes).toBeGreaterThan(3_000_000);
      const copy = new Database(path, { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      const keysInCopy = new Set((copy.prepare('SELECT key FROM jobs').all() as { key: string }[]).map((r) => r.key));
      copy.close();
      const missing = keysBefore.filter((k) => !keysInCopy.has(k));
      expect(missing).toEqual([]);
      // The writer went on while the copy was taken; the copy is a snapshot, not the live file.
      expect(countJobs(databasePath)).toBeGreaterThan(keysInCopy.size);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('names the default file by UTC time under backups/, and puts it inside a folder given as the destination', async () => {
    const clock = createSettableClock('2026-05-04T09:30:00.250Z');
    expect(defaultBackupPath(clock)).toBe(join('backups', 'peerloop-2026-05-04T09-30-00Z.db'));
    const { path } = await backupDatabase(databasePath, join(work, 'out'), clock);
    expect(path).toBe(join(work, 'out', 'peerloop-2026-05-04T09-30-00Z.db'));
  });

  it('refuses to overwrite a file, and names DATABASE_PATH when there is no database', async () => {
    await expect(backupDatabase(databasePath, join(work, 'out', 'copy.db'), createSettableClock())).rejects.toThrow(/already exists: choose another path/);
    await expect(backupDatabase(join(work, 'nothing-here.db'), join(work, 'x.db'), createSettableClock())).rejects.toThrow(/^DATABASE_PATH: there is no database at /);
    expect(existsSync(join(work, 'x.db'))).toBe(false);
  });
});

describe('npm run backup (dist/backup.js)', () => {
  it('works with only DATABASE_PATH set (no Slack tokens), creates the folder and says where and how big', () => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root });
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const out = execFileSync(process.execPath, [join(root, 'dist/backup.js')], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DATABASE_PATH: databasePath },
      encoding: 'utf8',
    });
    expect(out).toMatch(/^Backup written to .*\/backups\/peerloop-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.db \(\d+\.\d MB\)\.\n$/);
    const path = /^Backup written to (.*) \(/.exec(out)![1]!;
    expect(path.startsWith(join(cwd, 'backups'))).toBe(true);
    expect(countJobs(path)).toBeGreaterThanOrEqual(3_000);
  });
});
