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
 * Here the app's connection never checkpoints (wal_autocheckpoint = 0); a worker thread with
 * its own connection to the same file runs a PASSIVE checkpoint every `intervalMs`. PASSIVE never
 * waits for a lock and never blocks a writer: pages a reader still needs are left for the next
 * round. If the worker cannot run (it fails to start or dies), the app's connection goes back to
 * checkpointing itself, so the log can never grow without bound.
 */
export interface Checkpointer {
  /** Stops the worker; the app's connection checkpoints itself again (and on close, as SQLite does). */
  stop(): Promise<void>;
}

/** How often the worker checkpoints: the log stays a few MB even under a steady stream of writes. */
export const CHECKPOINT_INTERVAL_MS = 1_000;
/** SQLite's default threshold, restored when the worker stops. */
const AUTOCHECKPOINT_PAGES = 1_000;
/** After a checkpoint lets the log start over, its file is cut back to this size. */
const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

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
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path: handle.path,
      intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
      walSizeLimit: WAL_SIZE_LIMIT_BYTES,
    },
    // A small isolate: it holds one connection and a timer.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  let stopping = false;
  let failuresLogged = 0;
  const restoreSelfCheckpoints = () => {
    if (handle.sqlite.open) handle.sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };

  const ready = new Promise<boolean>((resolve) => {
    worker.on('message', (message: { type: string; busy?: number; log?: number; checkpointed?: number; message?: string }) => {
      if (message.type === 'ready') {
        // Only now: until the worker has its connection, the app's own commits keep checkpointing.
        handle.sqlite.pragma('wal_autocheckpoint = 0');
        handle.sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
        resolve(true);
      } else if (message.type === 'checkpointed') {
        options.onCheckpoint?.({ busy: message.busy ?? 0, log: message.log ?? 0, checkpointed: message.checkpointed ?? 0 });
      } else if (message.type === 'failed' && failuresLogged < 5) {
        // A locked or busy file now and then is normal (another process checkpointing); said a few times, not every second.
        failuresLogged += 1;
        logger.warn({ reason: message.message }, 'background WAL checkpoint failed; it will be tried again');
      }
    });
    worker.on('error', (error) => {
      logger.warn({ err: error }, 'background WAL checkpoints stopped; the app checkpoints in its own commits again');
      restoreSelfCheckpoints();
      resolve(false);
    });
    worker.on('exit', () => {
      if (!stopping) restoreSelfCheckpoints();
      resolve(false);
    });
  });
  const started = await ready;
  if (!started) return selfCheckpointing;
  // The worker must not keep the process alive on its own: the app's server and scheduler do.
  worker.unref();
  logger.debug({ intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS }, 'background WAL checkpoints running');
  return {
    stop: async () => {
      if (stopping) return;
      stopping = true;
      restoreSelfCheckpoints();
      // Held again while it closes: at shutdown nothing else may be keeping the process alive.
      worker.ref();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await exited;
    },
  };
}
