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
  /** Tasks waiting for their turn (not the running ones). */
  waitingCount(): number;
  /** Called after each task of this queue settles (a lane that yields to it starts its own then). */
  onSettled(listener: () => void): void;
}

export interface FollowUpQueueOptions {
  /**
   * Lanes that go first: while any of them has a task waiting, this one starts nothing new,
   * unless its own oldest task has waited `maxDeferMs`. The deadline keeps a lane from starving
   * under a steady stream of higher work, and a task up there that waits for one down here (a
   * click that refreshes a card) from waiting forever.
   */
  yieldTo?: readonly FollowUpQueue[];
  maxDeferMs?: number;
}

interface Waiting {
  key: string | undefined;
  task: () => Promise<void>;
  done: () => void;
  /** performance.now() when it was queued (for maxDeferMs). */
  queuedAt: number;
}

export function createFollowUpQueue(logger: Logger, concurrency = 2, options: FollowUpQueueOptions = {}): FollowUpQueue {
  const waiting: Waiting[] = [];
  const queuedByKey = new Map<string, Promise<void>>();
  const settledListeners: (() => void)[] = [];
  const yieldTo = options.yieldTo ?? [];
  const maxDeferMs = options.maxDeferMs ?? 250;
  let active = 0;
  let deadline: NodeJS.Timeout | undefined;
  let pumpQueued = false;

  /** Whether a lane this one yields to has work waiting, and this lane's oldest task may still wait. */
  function deferring(): boolean {
    if (!yieldTo.some((lane) => lane.waitingCount() > 0)) return false;
    const waitedMs = performance.now() - waiting[0]!.queuedAt;
    if (waitedMs >= maxDeferMs) return false;
    // Look again when the deadline comes, in case the higher lanes stay busy until then.
    deadline ??= setTimeout(() => {
      deadline = undefined;
      pump();
    }, maxDeferMs - waitedMs).unref();
    return true;
  }

  /** A pump after this turn's I/O, at most one queued at a time. */
  function schedulePump(): void {
    if (waiting.length === 0 || pumpQueued) return;
    pumpQueued = true;
    setImmediate(() => {
      pumpQueued = false;
      pump();
    });
  }

  // A higher lane's task settling may let this one start.
  for (const lane of yieldTo) lane.onSettled(schedulePump);

  function pump(): void {
    while (active < concurrency && waiting.length > 0) {
      if (deferring()) return;
      const item = waiting.shift()!;
      if (item.key !== undefined) queuedByKey.delete(item.key);
      active += 1;
      void item
        .task()
        .catch((error: unknown) => logger.warn({ err: error, key: item.key }, 'follow-up failed'))
        .finally(() => {
          active -= 1;
          item.done();
          for (const listener of settledListeners) listener();
          // The next task starts after the event loop's I/O phase, so requests that arrived
          // meanwhile are acknowledged before more follow-up work runs (bench/sessions measures it).
          schedulePump();
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
      waiting.push({ key, task, done, queuedAt: performance.now() });
      if (key !== undefined) queuedByKey.set(key, settled);
      // Even the first task starts after the I/O phase: a click's work (a Join's write, ~2 ms)
      // run straight after its ack would make the acks of requests already read wait behind it.
      schedulePump();
      return settled;
    },
    waitingCount: () => waiting.length,
    onSettled: (listener) => settledListeners.push(listener),
  };
}

/**
 * Three lanes per app (keyed by its deps object), made on first use, in order of who goes first:
 * `clicks` for the database work of a button click or a command's late answer (what a person
 * waits for), `follow-ups` for what comes after it (cards, DMs, calendar files), and `home` for
 * App Home publishes. A lower lane starts nothing while a higher one has work waiting (for at
 * most 250 ms), so under a burst the replies go first, and the Home publishes queued for one
 * person meanwhile become one, showing where all their clicks left things.
 * Click tasks may wait for lower lanes' tasks (the deadline bounds that), never the reverse.
 */
export type Lane = 'clicks' | 'follow-ups' | 'home';

const queues = new WeakMap<object, Map<Lane, FollowUpQueue>>();

export function followUps(owner: object, logger: Logger, lane: Lane = 'follow-ups'): FollowUpQueue {
  let lanes = queues.get(owner);
  if (lanes === undefined) {
    const clicks = createFollowUpQueue(logger);
    const after = createFollowUpQueue(logger, 2, { yieldTo: [clicks] });
    const home = createFollowUpQueue(logger, 1, { yieldTo: [clicks, after] });
    lanes = new Map<Lane, FollowUpQueue>([
      ['clicks', clicks],
      ['follow-ups', after],
      ['home', home],
    ]);
    queues.set(owner, lanes);
  }
  return lanes.get(lane)!;
}
