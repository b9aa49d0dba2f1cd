/**
 * Writes to one Slack message run one at a time, per key, in this process. Two updates a moment
 * apart each render from the database and call chat.update; without a chain the one carrying the
 * older state can reach Slack last and stay on screen. In a chain each task renders when its turn
 * comes, so the last one to run shows everything stored before it started. Used for poll
 * messages and session cards (clicks, edits and the session-end job all write to a card).
 */
export type MessageChain = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function createMessageChain(): MessageChain {
  const tails = new Map<string, Promise<void>>();
  return (key, task) => {
    const run = (tails.get(key) ?? Promise.resolve()).then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    // Forgotten once idle, so a busy year of messages does not pile up entries.
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
