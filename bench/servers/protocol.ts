/**
 * What a benchmark server child prints on stdout once it listens, and the argv flag that picks
 * a seed. Shared by the children and the parent that spawns them.
 */
export interface ReadyLine {
  ready: true;
  port: number;
}

export const SEED_FLAG = '--seed';
/**
 * `--seed <name> --seed-only <file>`: fill a new database file and exit. `--from <file>`: start
 * from a copy of such a file. Seeding in its own process keeps the garbage of writing 100k rows
 * out of the server's memory figures (a real Peerloop opens a full database, it does not fill it).
 */
export const SEED_ONLY_FLAG = '--seed-only';
export const FROM_FLAG = '--from';
/** The Web API URL of the fake Slack process (bench/servers/fake-slack.ts) Peerloop talks to. */
export const SLACK_FLAG = '--slack';

/** `--flag <value>` or `--flag=<value>` from this process's argv. */
export function flagValue(flag: string, argv: readonly string[] = process.argv): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === flag) return argv[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

/** `--seed <name>` (or BENCH_SEED) from this process's argv/env. */
export function seedNameFromArgv(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flagValue(SEED_FLAG, argv) ?? (env.BENCH_SEED || undefined);
}

/**
 * What the fake Slack process prints on stdout while it runs: how many response_url posts it has
 * received so far and how many API calls (cumulative), so the parent can tell whether Peerloop's
 * work after the ack kept up with the load.
 */
export interface ProgressLine {
  replies: number;
  /** Slack Web API calls so far (card updates, DMs, files, Home), also cumulative. */
  calls: number;
  /** What arrived since the last line that a person would see, with when (nowUs); see bench/servers/fake-slack.ts. */
  seen?: SeenReply[];
}

/** [what arrived (e.g. `response:<id>`), when in µs of nowUs()]. */
export type SeenReply = [key: string, atUs: number];

/**
 * Microseconds on the system's monotonic clock (process.hrtime is CLOCK_MONOTONIC on Linux, one
 * clock for every process on the machine), so a request stamped by the load generator and its
 * reply stamped by the fake Slack process can be subtracted.
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function announceProgress(replies: number, calls: number, seen: SeenReply[] = []): void {
  const line: ProgressLine = { replies, calls, ...(seen.length > 0 ? { seen } : {}) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export function announceReady(port: number): void {
  const line: ReadyLine = { ready: true, port };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * The parent holds our stdin open; when it goes away (even killed with SIGKILL) stdin ends, and
 * a server left behind would only skew the next run, so we leave too.
 */
export function exitWhenParentGoes(cleanup: () => void = () => {}): void {
  const leave = () => {
    try {
      cleanup();
    } finally {
      process.exit(0);
    }
  };
  process.stdin.on('end', leave);
  process.stdin.on('close', leave);
  process.stdin.on('error', leave);
  process.stdin.resume();
  process.on('SIGTERM', leave);
  process.on('SIGINT', leave);
}
