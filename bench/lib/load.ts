import { Agent, request } from 'node:http';
import { signRequest } from '../../test/support/sign.js';

/** One request to /slack/events, unsigned: the load generator signs it just before sending. */
export interface BenchRequest {
  body: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
}

/** What a request factory may need to know about the server it targets. */
export interface RequestTarget {
  /**
   * Where response_url should point: the fake Slack inside the server, so replies sent after
   * the ack never leave the machine. Undefined for servers without one (the bare app never replies).
   */
  responseUrlBase: string | undefined;
}

export type RequestFactory = (index: number, target: RequestTarget) => BenchRequest;

export interface LoadOptions {
  port: number;
  /** Reused across rounds so connections stay warm; maxSockets should equal `concurrency`. */
  agent: Agent;
  count: number;
  concurrency: number;
  requestFor: RequestFactory;
  target: RequestTarget;
  path?: string;
}

export interface LoadResult {
  /** Latency of every successful (HTTP 200) request, in ms, in completion order. */
  latenciesMs: number[];
  /** Wall time of the whole batch, in ms. */
  elapsedMs: number;
  errors: number;
  /** The first few failures, to say what went wrong. */
  errorSamples: string[];
}

export function createAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

/**
 * Sends `count` signed requests with at most `concurrency` in flight and times each one from
 * just before the request is written to the last byte of the response.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { port, agent, count, concurrency, requestFor, target, path = '/slack/events' } = options;
  const latenciesMs: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;

  const recordError = (message: string) => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(message);
  };

  async function worker(): Promise<void> {
    while (next < count) {
      const index = next++;
      const spec = requestFor(index, target);
      const headers = {
        'content-type': spec.contentType,
        'content-length': String(Buffer.byteLength(spec.body)),
        ...signRequest(spec.body),
      };
      const started = process.hrtime.bigint();
      try {
        const status = await send(port, path, agent, headers, spec.body);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
        if (status === 200) latenciesMs.push(elapsed);
        else recordError(`HTTP ${status}`);
      } catch (error) {
        recordError(error instanceof Error ? error.message : String(error));
      }
    }
  }

  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => worker()));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { latenciesMs, elapsedMs, errors, errorSamples };
}

function send(port: number, path: string, agent: Agent, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers }, (res) => {
      // The body must be read to its end before the socket can serve the next request.
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timed out after 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Nearest-rank percentile (p in 0..100) of an ascending array. */
export function percentile(sortedAsc: readonly number[], p: number): number {
  if (sortedAsc.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length, Math.max(1, rank)) - 1]!;
}
