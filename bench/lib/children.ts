import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NODE_START_FLAGS } from '../../src/runtime.js';
import { FROM_FLAG, SEED_FLAG, SEED_ONLY_FLAG, SLACK_FLAG, type ProgressLine, type ReadyLine } from '../servers/protocol.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type ServerKind = 'peerloop' | 'bare';

export interface ServerHandle {
  kind: ServerKind;
  /** What the tables call it. */
  label: string;
  seed: string | undefined;
  pid: number;
  port: number;
  /** Base URL of the fake Slack Peerloop talks to; response_url posts should go there. */
  fakeSlackUrl: string | undefined;
  /** VmHWM: the most resident memory the process has ever had, in KB. */
  peakRssKb(): number;
  /** VmRSS now, in KB. */
  rssKb(): number;
  /** CPU time the process has used so far (user + system), in ms (10 ms resolution on Linux). */
  cpuMs(): number;
  /** VmRSS when the server said it was ready, before any request, in KB. */
  readyRssKb: number;
  /**
   * Starts a new peak: VmHWM drops to the RSS of now (Linux clear_refs 5), so the next
   * peakRssKb() is the peak of what ran since, not of an earlier scenario on the same server.
   */
  resetPeakRss(): void;
  /** What reached Peerloop's fake Slack that a person would see, and when (undefined for the bare app). */
  replyLog: ReplyLog | undefined;
  /** response_url posts Peerloop's fake Slack has received so far (0 for the bare app). */
  replies(): number;
  /** Slack API calls Peerloop's fake Slack has received so far (0 for the bare app). */
  slackCalls(): number;
  stop(): Promise<void>;
}

/**
 * Replies the fake Slack process reported (bench/servers/fake-slack.ts: `response:<id>`,
 * `update:<channel>:<ts>`, ...) with their arrival in µs of nowUs(), kept in the parent so a
 * benchmark can match each request to the reply it led to.
 */
export interface ReplyLog {
  /** When `key` first arrived at or after `afterUs`, or undefined if it has not (yet). */
  firstAt(key: string, afterUs: number): number | undefined;
  /** Forgets everything seen so far (between scenarios). */
  clear(): void;
}

export function createReplyLog(): ReplyLog & { add(key: string, atUs: number): void } {
  const byKey = new Map<string, number[]>();
  return {
    add(key, atUs) {
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [atUs]);
      else list.push(atUs);
    },
    firstAt(key, afterUs) {
      // Lines arrive in order, so each list is ascending; the lists are short (a card's updates).
      return byKey.get(key)?.find((at) => at >= afterUs);
    },
    clear: () => byKey.clear(),
  };
}

export interface FakeSlackProcess {
  /** Base URL for response_url posts (a server of the fake's own that stamps them). */
  url: string;
  apiUrl: string;
  replies(): number;
  calls(): number;
  replyLog: ReplyLog;
  /** chat.postMessage deliveries, and channels that got more than one. */
  counts(): Promise<{ channels: number; deliveries: number; duplicates: number }>;
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
const BUILD_DIR = 'dist/bench';
const SERVERS = ['peerloop', 'bare', 'fake-slack'] as const;
let built = false;

/**
 * Every server runs the way `npm start` runs Peerloop: bundled by scripts/build.mjs (same
 * settings for all of them) and started with plain `node`, so Peerloop and the bare app pay the
 * same runtime costs and the difference is Peerloop's own.
 */
function buildServers(): void {
  if (built) return;
  const entries = SERVERS.map((name) => `bench/servers/${name}.ts`);
  execFileSync(process.execPath, ['scripts/build.mjs', '--outdir', BUILD_DIR, ...entries], { cwd: REPO_ROOT, stdio: 'inherit' });
  built = true;
}

interface Child {
  child: ChildProcess;
  ready: Record<string, unknown>;
  /** Called with every JSON line after the ready one. */
  onLine(listener: (line: Record<string, unknown>) => void): void;
  stop(): Promise<void>;
}

/** Spawns one bundled server (`node dist/bench/<name>.js`) and waits for its `{"ready":true}` line. */
async function spawnServer(name: (typeof SERVERS)[number], args: string[]): Promise<Child> {
  buildServers();
  // BENCH_NODE_ARGS passes extra flags to the servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  // Peerloop starts as `npm start` starts it, with the V8 flags that must be given at start (src/runtime.ts).
  const startFlags = name === 'peerloop' ? NODE_START_FLAGS : [];
  const child = spawn(process.execPath, [...startFlags, ...extra, `${BUILD_DIR}/${name}.js`, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  live.add(child);
  child.once('exit', () => live.delete(child));

  const listeners: ((line: Record<string, unknown>) => void)[] = [];
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    let isReady = false;
    // Keep draining stdout for the child's whole life so it never blocks on a full pipe.
    const lines = createInterface({ input: child.stdout! });
    function fail(error: Error) {
      clearTimeout(timer);
      lines.close();
      child.kill('SIGKILL');
      reject(error);
    }
    lines.on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (isReady) {
        for (const listener of listeners) listener(parsed);
      } else if (parsed.ready === true) {
        isReady = true;
        clearTimeout(timer);
        child.removeAllListeners('error');
        child.removeAllListeners('exit');
        child.once('exit', () => live.delete(child));
        resolve(parsed);
      }
    });
    child.once('error', (error) => fail(error));
    child.once('exit', (code, signal) => fail(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`)));
  });

  return {
    child,
    ready,
    onLine: (listener) => listeners.push(listener),
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

/** Starts bench/servers/fake-slack.ts in its own process. */
export async function startFakeSlackProcess(): Promise<FakeSlackProcess> {
  const fake = await spawnServer('fake-slack', []);
  const { url, apiUrl } = fake.ready as { url: string; apiUrl: string };
  let replies = 0;
  let calls = 0;
  const replyLog = createReplyLog();
  fake.onLine((line) => {
    const progress = line as Partial<ProgressLine>;
    if (typeof progress.replies === 'number') replies = progress.replies;
    if (typeof progress.calls === 'number') calls = progress.calls;
    for (const [key, atUs] of progress.seen ?? []) replyLog.add(key, atUs);
  });
  return {
    url,
    apiUrl,
    replies: () => replies,
    calls: () => calls,
    replyLog,
    async counts() {
      const res = await fetch(`${apiUrl}bench.counts`, { method: 'POST', headers: { authorization: 'Bearer xoxb-test-token' } });
      return (await res.json()) as { channels: number; deliveries: number; duplicates: number };
    },
    stop: () => fake.stop(),
  };
}

const seededFiles = new Map<string, Promise<string>>();
let seedDir: string | undefined;
process.on('exit', () => {
  if (seedDir !== undefined) rmSync(seedDir, { recursive: true, force: true });
});

/** A database file filled with `seed`, made once per benchmark run in its own process (SEED_ONLY_FLAG). */
function seededFile(seed: string): Promise<string> {
  let file = seededFiles.get(seed);
  if (file === undefined) {
    buildServers();
    seedDir ??= mkdtempSync(join(tmpdir(), 'peerloop-bench-seeds-'));
    const path = join(seedDir, `${seed}.db`);
    file = new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [`${BUILD_DIR}/peerloop.js`, SEED_FLAG, seed, SEED_ONLY_FLAG, path], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
      live.add(child);
      child.once('error', reject);
      child.once('exit', (code) => {
        live.delete(child);
        if (code === 0) resolve(path);
        else reject(new Error(`seeding ${seed} failed (exit code ${code})`));
      });
    });
    seededFiles.set(seed, file);
  }
  return file;
}

/**
 * Starts a benchmark server as its own process and waits for it to listen. Peerloop also gets
 * its own fake Slack process, so the server's memory is Peerloop's alone.
 */
export async function startServer(kind: ServerKind, options: { seed?: string } = {}): Promise<ServerHandle> {
  const fake = kind === 'peerloop' ? await startFakeSlackProcess() : undefined;
  const args = fake === undefined ? [] : [SLACK_FLAG, fake.apiUrl];
  if (options.seed !== undefined) args.push(FROM_FLAG, await seededFile(options.seed));
  let server: Child;
  try {
    server = await spawnServer(kind, args);
  } catch (error) {
    await fake?.stop();
    throw error;
  }
  const ready = server.ready as unknown as ReadyLine;
  const pid = server.child.pid!;
  return {
    readyRssKb: readStatusKb(pid, 'VmRSS'),
    kind,
    label: kind === 'peerloop' ? (options.seed === undefined ? 'Peerloop' : `Peerloop (${options.seed})`) : 'bare Bolt',
    seed: options.seed,
    pid,
    port: ready.port,
    fakeSlackUrl: fake?.url,
    replies: () => fake?.replies() ?? 0,
    replyLog: fake?.replyLog,
    resetPeakRss: () => writeFileSync(`/proc/${pid}/clear_refs`, '5'),
    slackCalls: () => fake?.calls() ?? 0,
    peakRssKb: () => readStatusKb(pid, 'VmHWM'),
    rssKb: () => readStatusKb(pid, 'VmRSS'),
    cpuMs: () => readCpuMs(pid),
    async stop() {
      await server.stop();
      await fake?.stop();
    },
  };
}

// /proc/<pid>/stat counts in clock ticks: USER_HZ, 100 on every Linux the bench runs on.
const TICKS_PER_SECOND = 100;

function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (in parentheses, which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function readStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}
