import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startTestApp, type TestApp, type TestAppOptions } from './app.js';
import type { FakeUser } from './fake-slack.js';

export interface UseTestAppOptions extends TestAppOptions {
  /** People the fake's users.info knows, set once at start (they survive fake.reset()). */
  users?: readonly FakeUser[];
  /** Where the settable clock stands once the app has started (tests move it from there). */
  startAt?: number | string;
  /** Where the clock is put before every test (and at start). */
  now?: number | string;
  /** Before every test: forget the fake's recorded calls and scripts. */
  resetFake?: boolean;
  /** Before every test: delete every workspace's data. */
  clearData?: boolean;
}

/**
 * One app for the whole file (or describe block): started in beforeAll, stopped in afterAll,
 * and put back before every test as `options` say. The returned object is filled in when the
 * app starts, so use it inside hooks and tests (and functions they call), not at import time.
 * Hooks the caller registers after this one run after it.
 */
export function useTestApp(options: UseTestAppOptions = {}): TestApp {
  const { users = [], startAt, now, resetFake = false, clearData = false, ...startOptions } = options;
  const t = {} as TestApp;
  beforeAll(async () => {
    Object.assign(t, await startTestApp(startOptions));
    const start = now ?? startAt;
    if (start !== undefined) t.clock.set(start);
    for (const user of users) t.fake.setUser({ ...user });
  });
  afterAll(async () => {
    await t.stop?.();
  });
  if (resetFake || clearData || now !== undefined) {
    beforeEach(() => {
      if (resetFake) t.fake.reset();
      if (now !== undefined) t.clock.set(now);
      if (clearData) t.clearData();
    });
  }
  return t;
}
