import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProgressLine, ReadyLine } from '../servers/protocol.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type ServerKind = 'peerloop' | 'bare';

export interface ServerHandle {
  kind: ServerKind;
  /** What the tables call it. */
  label: string;
  seed: string | undefined;
  pid: number;
  port: number;
  /** Base URL of the fake Slack inside a Peerloop server; response_url posts should go there. */
  fakeSlackUrl: string | undefined;
  /** VmHWM: the most resident memory the process has ever had, in KB. */
  peakRssKb(): number;
  /** VmRSS now, in KB. */
  rssKb(): number;
  /** VmRSS when the server said it was ready, before any request, in KB. */
  readyRssKb: number;
  /** response_url posts the server's fake Slack has received so far (0 for the bare app). */
  replies(): number;
  /** Slack API calls the server's fake Slack has received so far (0 for the bare app). */
  slackCalls(): number;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Kills every server still running; safe to call more than once and from an 'exit' handler. */
export function killAllServers(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

// 'exit' handlers must be synchronous: SIGKILL is, and the children also leave when stdin closes.
process.on('exit', killAllServers);

const READY_TIMEOUT_MS = 60_000;

/**
 * Starts a benchmark server as its own Node process (`node --import tsx`, no tsx CLI wrapper, so
 * the pid we read /proc from is the server itself) and waits for its ready line.
 */
export async function startServer(kind: ServerKind, options: { seed?: string } = {}): Promise<ServerHandle> {
  // BENCH_NODE_ARGS passes extra flags to the servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const args = [...extra, '--import', 'tsx', fileURLToPath(new URL(`../servers/${kind}.ts`, import.meta.url))];
  if (options.seed !== undefined) args.push('--seed', options.seed);
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));

  let replies = 0;
  let calls = 0;
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${kind} server did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    function fail(error: Error) {
      clearTimeout(timer);
      lines.close();
      child.kill('SIGKILL');
      reject(error);
    }
    lines.on('line', (line) => {
      let parsed: Partial<ReadyLine> | undefined;
      try {
        parsed = JSON.parse(line) as Partial<ReadyLine>;
      } catch {
        return;
      }
      if (parsed?.ready === true && typeof parsed.port === 'number') {
        clearTimeout(timer);
        // Keep draining stdout so a chatty child never blocks on a full pipe; progress lines count replies.
        lines.removeAllListeners('line');
        lines.on('line', (next) => {
          try {
            const progress = JSON.parse(next) as Partial<ProgressLine>;
            if (typeof progress.replies === 'number') replies = progress.replies;
            if (typeof progress.calls === 'number') calls = progress.calls;
          } catch {
            // Not a progress line.
          }
        });
        resolve(parsed as ReadyLine);
      }
    });
    child.once('error', (error) => fail(error));
    child.once('exit', (code, signal) => fail(new Error(`${kind} server exited before it was ready (code ${code}, signal ${signal})`)));
  });

  const pid = child.pid!;
  const readyRssKb = readStatusKb(pid, 'VmRSS');
  return {
    readyRssKb,
    kind,
    label: kind === 'peerloop' ? (options.seed === undefined ? 'Peerloop' : `Peerloop (${options.seed})`) : 'bare Bolt',
    seed: options.seed,
    pid,
    port: ready.port,
    fakeSlackUrl: ready.fakeSlackUrl,
    replies: () => replies,
    slackCalls: () => calls,
    peakRssKb: () => readStatusKb(pid, 'VmHWM'),
    rssKb: () => readStatusKb(pid, 'VmRSS'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function readStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}
