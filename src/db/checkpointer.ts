import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DbHandle } from './client.js';

/**
 * WAL checkpoints off the request thread.
 *
 * By default SQLite checkpoints inside the commit that takes the write-ahead log past 1,000
 * pages: that commit copies the pages into the database file and waits for the disk (fsync), on
 * Node's only thread. Under a burst of Join clicks that was a 20 to 50 ms stall every few
 * seconds, which every request in flight waited out (`npm run bench -- open --only join`: reply
 * p99 28 ms with no follow-up work at all, 13 to 15 ms without the stalls).
 *
 * Here a worker thread with its own connection to the same file runs a PASSIVE checkpoint every
 * `intervalMs`. PASSIVE never waits for a lock and never blocks a writer: pages a reader still
 * needs are left for the next round.
 *
 * The log starts over only when a write begins after a checkpoint copied all of it; under a
 * steady stream of writes the worker's checkpoints never quite catch up, so the app's connection
 * keeps a backstop: at `backstopPages` (16 MB) its own commit checkpoints, which then has little
 * left to copy (the worker copied the rest), and the next write starts the log over. If the
 * worker cannot run (it fails to start, dies, or fails 10 times in a row), the app's connection
 * goes back to SQLite's default, so the log can never grow without bound.
 */
export interface Checkpointer {
  /** Stops the worker; the app's connection checkpoints itself again (and on close, as SQLite does). */
  stop(): Promise<void>;
}

/** How often the worker checkpoints. */
export const CHECKPOINT_INTERVAL_MS = 1_000;
/** SQLite's default threshold, restored when the worker stops. */
const AUTOCHECKPOINT_PAGES = 1_000;
/** The app's own checkpoint while the worker runs: 4,000 pages of 4 KB. */
const BACKSTOP_PAGES = 4_000;
/** After a checkpoint lets the log start over, its file is cut back to this size. */
const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;
/** Failures in a row after which the worker is given up. */
const MAX_FAILURES_IN_A_ROW = 10;
/** How long stop() waits for the worker to close its connection before ending it. */
const STOP_WAIT_MS = 2_000;

// Plain CommonJS, run as the worker's script: it needs nothing of Peerloop's but the driver.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('journal_size_limit = ' + workerData.walSizeLimit);
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpointed', busy: result.busy, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'now') checkpoint();
  if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready' });
`;

/** What the checkpointer says (the app's logger fits; db/ imports nothing above it). */
export interface CheckpointerLog {
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  /** The app's own checkpoint threshold while the worker runs (tests make it small). */
  backstopPages?: number;
  /** The worker's code (tests replace it to act out a worker that dies). */
  workerSource?: string;
  /** Each checkpoint's result (tests watch the log shrink). */
  onCheckpoint?: (result: { busy: number; log: number; checkpointed: number }) => void;
}

/**
 * Starts background checkpoints for an open file database (an in-memory one has no log: nothing
 * to do). Resolves once the worker has its connection, or after falling back.
 */
export async function startCheckpointer(handle: DbHandle, logger: CheckpointerLog, options: CheckpointerOptions = {}): Promise<Checkpointer> {
  const selfCheckpointing: Checkpointer = { stop: async () => undefined };
  if (handle.path === ':memory:') return selfCheckpointing;
  const intervalMs = options.intervalMs ?? CHECKPOINT_INTERVAL_MS;
  const worker = new Worker(options.workerSource ?? WORKER_SOURCE, {
    eval: true,
    workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path: handle.path, intervalMs, walSizeLimit: WAL_SIZE_LIMIT_BYTES },
    // A small isolate: it holds one connection and a timer.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  let stopping = false;
  let failuresInARow = 0;
  let resolveExited!: () => void;
  const exited = new Promise<void>((resolve) => {
    resolveExited = resolve;
  });
  const restoreSelfCheckpoints = () => {
    if (handle.sqlite.open) handle.sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  const giveUp = (details: object, why: string) => {
    logger.warn(details, `background WAL checkpoints stopped (${why}); the app checkpoints in its own commits again`);
    restoreSelfCheckpoints();
  };

  const ready = new Promise<boolean>((resolve) => {
    worker.on('message', (message: { type: string; busy?: number; log?: number; checkpointed?: number; message?: string }) => {
      if (message.type === 'ready') {
        // Only now: until the worker has its connection, the app's own commits checkpoint as usual.
        handle.sqlite.pragma(`wal_autocheckpoint = ${options.backstopPages ?? BACKSTOP_PAGES}`);
        handle.sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
        resolve(true);
      } else if (message.type === 'checkpointed') {
        failuresInARow = 0;
        options.onCheckpoint?.({ busy: message.busy ?? 0, log: message.log ?? 0, checkpointed: message.checkpointed ?? 0 });
      } else if (message.type === 'failed') {
        failuresInARow += 1;
        // One failure now and then is normal (another process holds the file a moment): said once, tried again.
        if (failuresInARow === 1) logger.warn({ reason: message.message }, 'background WAL checkpoint failed; it will be tried again');
        if (failuresInARow === MAX_FAILURES_IN_A_ROW && !stopping) {
          stopping = true;
          giveUp({ reason: message.message }, `${MAX_FAILURES_IN_A_ROW} failures in a row`);
          void worker.terminate();
        }
      }
    });
    worker.on('error', (error) => {
      if (!stopping) giveUp({ err: error }, 'the worker failed');
      stopping = true;
      resolve(false);
    });
    worker.on('exit', (code) => {
      if (!stopping) giveUp({ code }, 'the worker exited');
      stopping = true;
      resolveExited();
      resolve(false);
    });
  });
  const started = await ready;
  if (!started) return selfCheckpointing;
  // The worker must not keep the process alive on its own: the app's server and scheduler do.
  worker.unref();
  logger.debug({ intervalMs }, 'background WAL checkpoints running');
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= (async () => {
        stopping = true;
        restoreSelfCheckpoints();
        // Held again while it closes: at shutdown nothing else may be keeping the process alive.
        worker.ref();
        worker.postMessage('stop');
        const late = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
        await exited;
        clearTimeout(late);
      })();
      return stopped;
    },
  };
}
