import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type Checkpointer, type CheckpointerLog } from '../../src/db/checkpointer.js';
import { openDb, type DbHandle } from '../../src/db/client.js';

/** WAL checkpoints in a worker thread: the app's commits never copy pages or wait for the disk. */
let dir: string;
let handle: DbHandle;
const running: Checkpointer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peerloop-checkpoint-'));
  handle = openDb(join(dir, 'peerloop.db'));
  handle.sqlite.exec('create table filler (id integer primary key, body text not null)');
});
afterEach(async () => {
  for (const checkpointer of running.splice(0)) await checkpointer.stop();
  handle.close();
  rmSync(dir, { recursive: true, force: true });
});

function recordingLog() {
  const warnings: string[] = [];
  const log: CheckpointerLog = { warn: (_details, message) => warnings.push(message), debug: () => undefined };
  return { log, warnings };
}

async function start(options: Parameters<typeof startCheckpointer>[2] = {}): Promise<Checkpointer> {
  const checkpointer = await startCheckpointer(handle, recordingLog().log, options);
  running.push(checkpointer);
  return checkpointer;
}

/** About `pages` 4 KB pages of rows, in small commits as the app makes them. */
function write(pages: number): void {
  const insert = handle.sqlite.prepare('insert into filler (body) values (?)');
  const body = 'x'.repeat(1000);
  for (let i = 0; i < pages; i += 1) handle.sqlite.transaction(() => [0, 1, 2, 3].forEach(() => insert.run(body)))();
}

const walBytes = () => statSync(join(dir, 'peerloop.db-wal')).size;
const pragma = (name: string) => handle.sqlite.pragma(name, { simple: true });

describe('background WAL checkpoints', () => {
  it("leave the app's own commits only a 4,000-page backstop and copy the log into the database from the worker", async () => {
    const results: { log: number; checkpointed: number }[] = [];
    await start({ intervalMs: 20, onCheckpoint: (r) => results.push(r) });
    expect(pragma('wal_autocheckpoint')).toBe(4_000);

    // Past SQLite's 1,000-page threshold: the app's commits alone would have checkpointed by now.
    write(1_500);
    await expect.poll(() => results.some((r) => r.log > 1_000 && r.checkpointed === r.log), { timeout: 5_000 }).toBe(true);

    // Everything copied: the next write starts the log over, so it stops growing.
    const before = walBytes();
    write(200);
    await expect.poll(() => results.at(-1)!.log < 1_000 && results.at(-1)!.checkpointed === results.at(-1)!.log, { timeout: 5_000 }).toBe(true);
    expect(walBytes()).toBeLessThanOrEqual(before);
  });

  it('keep the log bounded under a steady stream of writes, when the worker never catches up on its own', async () => {
    // Writes keep coming while the worker copies, so its checkpoints never cover the whole log and
    // the log never starts over; the app's backstop (100 pages here, 4,000 in the app) does.
    await start({ intervalMs: 5, backstopPages: 100 });
    const insert = handle.sqlite.prepare('insert into filler (body) values (?)');
    const body = 'x'.repeat(1000);
    const until = performance.now() + 1_500;
    let largest = 0;
    while (performance.now() < until) {
      for (let i = 0; i < 20; i += 1) handle.sqlite.transaction(() => insert.run(body))();
      largest = Math.max(largest, walBytes());
      // Let the worker's timer and messages in between batches, as the app's event loop would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // 100 pages of 4 KB (plus frame headers) and the writes of one batch; without the backstop
    // this log grew to about 290 MB in the same time.
    expect(largest).toBeLessThan(2 * 1024 * 1024);
  });

  it('stop even when the worker has already gone', async () => {
    const { log, warnings } = recordingLog();
    // A worker that gets ready and then ends on its own, as a crash of its thread would.
    const dying = "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ type: 'ready' }); setTimeout(() => process.exit(3), 50);";
    const checkpointer = await startCheckpointer(handle, log, { intervalMs: 20, workerSource: dying });
    running.push(checkpointer);
    expect(pragma('wal_autocheckpoint')).toBe(4_000);
    // The app is told, and checkpoints in its own commits again.
    await expect.poll(() => warnings.length).toBe(1);
    expect(warnings[0]).toMatch(/^background WAL checkpoints stopped \(the worker exited\)/);
    expect(pragma('wal_autocheckpoint')).toBe(1_000);
    await checkpointer.stop();
  });

  it('leave every commit readable from another connection', async () => {
    await start({ intervalMs: 20 });
    write(300);
    const other = new Database(join(dir, 'peerloop.db'), { readonly: true });
    try {
      expect(other.prepare('select count(*) from filler').pluck().get()).toBe(1_200);
    } finally {
      other.close();
    }
  });

  it("on stop, hand checkpoints back to the app's connection and end the worker", async () => {
    const checkpointer = await start({ intervalMs: 20 });
    await checkpointer.stop();
    expect(pragma('wal_autocheckpoint')).toBe(1_000);
    // A second stop is harmless (shutdown may run twice).
    await checkpointer.stop();
  });

  it("fall back to the app's own checkpoints, with a warning, when the worker cannot open the file", async () => {
    handle.sqlite.pragma('wal_autocheckpoint = 0');
    const { log, warnings } = recordingLog();
    const broken: DbHandle = { ...handle, path: join(dir, 'missing', 'peerloop.db') };
    const checkpointer = await startCheckpointer(broken, log, { intervalMs: 20 });
    running.push(checkpointer);
    expect(pragma('wal_autocheckpoint')).toBe(1_000);
    expect(warnings).toEqual(['background WAL checkpoints stopped (the worker failed); the app checkpoints in its own commits again']);
  });

  it('do nothing for an in-memory database, which has no log', async () => {
    const memory = openDb(':memory:');
    try {
      const checkpointer = await startCheckpointer(memory, recordingLog().log);
      await checkpointer.stop();
    } finally {
      memory.close();
    }
  });
});
