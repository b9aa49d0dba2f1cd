/**
 * Everything time-dependent reads "now" through a Clock, so tests (and a late restart) can
 * move time without sleeping. Times are epoch milliseconds in UTC throughout.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface SettableClock extends Clock {
  set(ms: number | Date | string): void;
  advance(ms: number): void;
}

export function createSettableClock(start: number | Date | string = Date.now()): SettableClock {
  let current = new Date(start).getTime();
  return {
    now: () => current,
    set: (ms) => {
      current = new Date(ms).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
