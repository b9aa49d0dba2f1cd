import { Agent } from 'node:http';
import { nowUs } from '../servers/protocol.js';
import { prng } from './prng.js';
import { sendSigned, type RequestFactory, type RequestSample, type RequestTarget } from './load.js';

/**
 * Open-loop load, the way Slack's traffic arrives: requests at a fixed mean rate with Poisson
 * arrivals (exponential gaps), each sent at its time whether or not the earlier ones were
 * answered, so a server that falls behind builds a queue that the latencies show. (A closed loop
 * waits for each answer before the next request and hides that queue.) Every latency is counted
 * from the moment the request was due, not when the generator got round to it, so a late
 * generator cannot hide a slow server either.
 */
export interface OpenLoopOptions {
  port: number;
  ratePerSec: number;
  durationMs: number;
  requestFor: RequestFactory;
  target: RequestTarget;
  /** Seeds the arrival times, so each run of a scenario sees the same ones. */
  seed?: number;
  /** Added to every request index (a scenario run more than once asks for new ones). */
  firstIndex?: number;
  path?: string;
}

export interface OpenLoopResult {
  samples: RequestSample[];
  errors: number;
  errorSamples: string[];
  /** The generator's worst lateness sending a request, in ms (a few ms is timer granularity). */
  maxLateMs: number;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { port, ratePerSec, durationMs, requestFor, target, path = '/slack/events' } = options;
  // As many connections as the queue needs (Slack opens more when answers are slow), reused when free.
  const agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 256 });
  const random = prng(options.seed ?? 13);
  const samples: RequestSample[] = [];
  const errorSamples: string[] = [];
  const inFlight: Promise<void>[] = [];
  let errors = 0;
  let maxLateMs = 0;
  const startUs = nowUs() + 10_000;
  const endUs = startUs + durationMs * 1000;
  let dueUs = startUs;
  for (let i = options.firstIndex ?? 0; ; i++) {
    dueUs += (-Math.log(1 - random()) / ratePerSec) * 1e6;
    if (dueUs >= endUs) break;
    const waitMs = (dueUs - nowUs()) / 1000;
    if (waitMs >= 1) await new Promise((resolve) => setTimeout(resolve, Math.floor(waitMs)));
    maxLateMs = Math.max(maxLateMs, (nowUs() - dueUs) / 1000);
    const spec = requestFor(i, target);
    inFlight.push(
      // Timed from when it was due, or from when it went if the timer let it go a little early
      // (the wait is rounded to whole ms): a reply to an early request must not seem to predate it.
      sendSigned(port, path, agent, spec, Math.round(Math.min(dueUs, nowUs()))).then(({ sample, error }) => {
        samples.push(sample);
        if (error !== undefined) {
          errors += 1;
          if (errorSamples.length < 5) errorSamples.push(error);
        }
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { samples, errors, errorSamples, maxLateMs };
}
