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
          pump();
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

const queues = new WeakMap<object, FollowUpQueue>();

/** One queue per app (keyed by its deps object), made on first use. */
export function followUps(owner: object, logger: Logger): FollowUpQueue {
  let queue = queues.get(owner);
  if (queue === undefined) {
    queue = createFollowUpQueue(logger);
    queues.set(owner, queue);
  }
  return queue;
}
