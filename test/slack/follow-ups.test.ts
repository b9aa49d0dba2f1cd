import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createFollowUpQueue } from '../../src/slack/follow-ups.js';
import { captureLogs } from '../support/logs.js';

const logger = createLogger('silent');

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('follow-up queue', () => {
  it('runs at most `concurrency` tasks at once, in order', async () => {
    const queue = createFollowUpQueue(logger, 2);
    const started: number[] = [];
    const gates = [gate(), gate(), gate()];
    const done = gates.map((g, i) =>
      queue.run(undefined, async () => {
        started.push(i);
        await g.opened;
      }),
    );
    // Nothing starts before the event loop's I/O phase (acks of requests already read go first).
    expect(started).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates[0]!.open();
    await done[0];
    // The next task waits for the event loop's I/O phase (so pending acks go first).
    expect(started).toEqual([0, 1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.open();
    gates[2]!.open();
    await Promise.all(done);
  });

  it('a queued task with a key covers later requests with that key; a running one does not', async () => {
    const queue = createFollowUpQueue(logger, 1);
    const blocker = gate();
    const runs: string[] = [];
    const first = queue.run('card:1', async () => {
      runs.push('running');
      await blocker.opened;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toEqual(['running']);
    // card:1 is running now; these queue one more run, shared by both callers.
    const second = queue.run('card:1', async () => {
      runs.push('second');
    });
    const third = queue.run('card:1', async () => {
      runs.push('third');
    });
    expect(third).toBe(second);
    blocker.open();
    await Promise.all([first, second, third]);
    expect(runs).toEqual(['running', 'second']);
  });

  it('a failing task is logged, not thrown, and the queue goes on', async () => {
    const logs = captureLogs('info');
    const queue = createFollowUpQueue(logs.logger, 1);
    const ran: string[] = [];
    await Promise.all([
      queue.run('card:7', async () => {
        throw new Error('boom');
      }),
      queue.run(undefined, async () => {
        ran.push('next');
      }),
    ]);
    expect(ran).toEqual(['next']);
    // One line for the failure, with the task's key and the error: what an operator needs to find it.
    expect(logs.records()).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'follow-up failed', key: 'card:7', err: expect.objectContaining({ type: 'Error', message: 'boom' }) }),
    ]);
  });

  it('a lane that yields starts nothing while a higher lane has work waiting, then goes', async () => {
    const clicks = createFollowUpQueue(logger, 1);
    const after = createFollowUpQueue(logger, 1, { yieldTo: [clicks], maxDeferMs: 10_000 });
    const order: string[] = [];
    const first = gate();
    const clickA = clicks.run(undefined, async () => {
      order.push('click A');
      await first.opened;
    });
    const clickB = clicks.run(undefined, async () => {
      order.push('click B');
    });
    // click B waits for the clicks lane: the card must not start before it.
    const card = after.run('card:1', async () => {
      order.push('card');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['click A']);
    first.open();
    await Promise.all([clickA, clickB, card]);
    expect(order).toEqual(['click A', 'click B', 'card']);
  });

  it('a yielding lane waits at most maxDeferMs, so a click that waits for it is not stuck', async () => {
    const clicks = createFollowUpQueue(logger, 1);
    const after = createFollowUpQueue(logger, 1, { yieldTo: [clicks], maxDeferMs: 20 });
    const order: string[] = [];
    // The running click waits for a card, while another click waits behind it.
    const clickA = clicks.run(undefined, async () => {
      order.push('click A');
      await after.run('card:1', async () => {
        order.push('card');
      });
    });
    const clickB = clicks.run(undefined, async () => {
      order.push('click B');
    });
    await Promise.all([clickA, clickB]);
    expect(order).toEqual(['click A', 'card', 'click B']);
  });

  it('Home publishes queued for one person behind other work become one', async () => {
    const after = createFollowUpQueue(logger, 1);
    const home = createFollowUpQueue(logger, 1, { yieldTo: [after], maxDeferMs: 10_000 });
    const blocker = gate();
    const publishes: string[] = [];
    const card = after.run('card:1', async () => {
      await blocker.opened;
    });
    const cardQueued = after.run('card:2', async () => undefined);
    const homes = [1, 2, 3].map(() => home.run('home:T1:U1', async () => {
      publishes.push('U1');
    }));
    blocker.open();
    await Promise.all([card, cardQueued, ...homes]);
    expect(publishes).toEqual(['U1']);
  });
});
