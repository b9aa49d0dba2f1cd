import type { Logger } from '../logger.js';

/**
 * Work that follows an ack (card updates, DMs, calendar files, App Home) runs through this
 * queue: at most `concurrency` tasks at once, so a burst of clicks cannot flood the event loop
 * and delay the acks of the next ones, and a queued task with a key (e.g. the card of session
 * 42) covers later requests with the same key, because it reads the database when it starts.
 * The returned promise settles when the task (or the task covering it) is done; it never rejects.
 */
export interface FollowUpQueue {
  run(key: string | undefined, task: () => Promise<void>): Promise<void>;
}

interface Waiting {
  key: string | undefined;
  task: () => Promise<void>;
  done: () => void;
}

export function createFollowUpQueue(logger: Logger, concurrency = 2): FollowUpQueue {
  const waiting: Waiting[] = [];
  const queuedByKey = new Map<string, Promise<void>>();
  let active = 0;

  function pump(): void {
    while (active < concurrency && waiting.length > 0) {
      const item = waiting.shift()!;
      if (item.key !== undefined) queuedByKey.delete(item.key);
      active += 1;
      void item
        .task()
        .catch((error: unknown) => logger.warn({ err: error, key: item.key }, 'follow-up failed'))
        .finally(() => {
          active -= 1;
          item.done();
          // The next task starts after the event loop's I/O phase, so requests that arrived
          // meanwhile are acknowledged before more follow-up work runs (bench/sessions measures it).
          setImmediate(pump);
        });
    }
  }

  return {
    run(key, task) {
      if (key !== undefined) {
        const queued = queuedByKey.get(key);
        if (queued !== undefined) return queued;
      }
      let done!: () => void;
      const settled = new Promise<void>((resolve) => {
        done = resolve;
      });
      waiting.push({ key, task, done });
      if (key !== undefined) queuedByKey.set(key, settled);
      pump();
      return settled;
    },
  };
}

/**
 * Two lanes per app (keyed by its deps object), made on first use: `clicks` for the database
 * work and reply of a button click, `follow-ups` for what comes after (cards, DMs, files, Home).
 * Click tasks wait for follow-up tasks, never the reverse, so the lanes cannot deadlock.
 */
export type Lane = 'clicks' | 'follow-ups';

const queues = new WeakMap<object, Map<Lane, FollowUpQueue>>();

export function followUps(owner: object, logger: Logger, lane: Lane = 'follow-ups'): FollowUpQueue {
  let lanes = queues.get(owner);
  if (lanes === undefined) {
    lanes = new Map();
    queues.set(owner, lanes);
  }
  let queue = lanes.get(lane);
  if (queue === undefined) {
    queue = createFollowUpQueue(logger);
    lanes.set(lane, queue);
  }
  return queue;
}
