import { setFlagsFromString } from 'node:v8';

/**
 * Process-wide V8 settings, applied once by the composition root before anything calls Slack.
 *
 * @slack/web-api 8 sends through Node's global fetch (undici), whose HTTP parser is WebAssembly.
 * The first Slack call compiles it, and by default V8 also compiles it with its optimizing tier:
 * a one-off burst of about 35 MB of native memory, for a parser that reads a few KB of JSON per
 * call (measured with `npm run bench -- ack`: peak RSS 135 MB after the first call, 98 MB with
 * the baseline compiler only). Peerloop's Slack traffic is paced to tens of calls a second, far
 * below what the baseline-compiled parser handles, so the optimizing tier is not worth a third
 * more memory. Peerloop runs no other WebAssembly.
 */
export function applyRuntimeSettings(): void {
  setFlagsFromString('--liftoff-only');
}
