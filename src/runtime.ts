import { setFlagsFromString } from 'node:v8';

/**
 * Process-wide V8 settings, applied once by the composition root before anything calls Slack.
 *
 * @slack/web-api 8 (Bolt's client, and the token check at start-up; the messenger's own calls use
 * node:http) sends through Node's global fetch (undici), whose HTTP parser is WebAssembly.
 * The first such call compiles it, and by default V8 also compiles it with its optimizing tier:
 * a one-off burst of about 35 MB of native memory, for a parser that reads a few KB of JSON per
 * call (measured with `npm run bench -- ack`: peak RSS 135 MB after the first call, 98 MB with
 * the baseline compiler only). Those calls are few, so the optimizing tier is not worth a third
 * more memory. Peerloop runs no other WebAssembly.
 */
/*
 * --optimize-for-size: under a burst of Join clicks the heap filled with short-lived garbage
 * (calendar files, Home views, card renders) that V8 collected late, growing the old generation
 * instead: peak RSS rose from 102 MB to 311 MB over 2,400 joins at 10 concurrent, and stayed at
 * 140 MB when the old generation was capped at 48 MB (nothing was retained). This flag makes V8
 * grow the heap in smaller steps and collect sooner; set here at run time it cuts that peak to
 * 183 MB (issue 13). It is a heuristic, not a limit: a large digest still gets the heap it needs.
 */
export function applyRuntimeSettings(): void {
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--optimize-for-size');
}

/**
 * Flags V8 reads only when the process starts (setFlagsFromString comes too late for them), so
 * `npm start` passes them on the command line (package.json; a test keeps the two in step) and
 * the benchmarks start Peerloop with them.
 *
 * --max-semi-space-size=2: the young generation is 2 x 2 MB instead of 2 x 16 MB. A Join leaves
 * only short-lived garbage (request bodies, rendered cards, Home views, calendar files); a 32 MB
 * nursery held on to it as resident memory. Measured with
 * `npm run bench -- open --only join` at 50 Joins/s: peak RSS 178 -> 132 MB, CPU per Join about
 * the same (scavenges are more frequent but each is smaller).
 */
export const NODE_START_FLAGS = ['--max-semi-space-size=2'] as const;
