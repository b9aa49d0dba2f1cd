import { loadavg } from 'node:os';
import { runAckLatency } from './ack-latency.js';
import { runCrash } from './crash.js';
import { runDigest } from './digest.js';
import { runJobsThroughput } from './jobs-throughput.js';
import { killAllServers } from './lib/children.js';
import { runMatching } from './matching.js';
import { runExport } from './export.js';
import { createBenchContext, type BenchContext } from './lib/compare.js';
import { runSessionsJoin, runSessionsList } from './sessions.js';
import { runOpenLoopBench, runSaturation } from './open-loop.js';

/**
 * `npm run bench` runs every benchmark in order; `npm run bench -- ack list` runs the named ones;
 * `npm run bench -- open --rate 20 --duration 5` shortens the open-loop runs (bench/open-loop.ts).
 * A missed bar prints FAIL and still exits 0 (absolute numbers on a shared machine are noise
 * to read, not a gate); only a crashed benchmark makes the exit code non-zero, and the others
 * still run.
 */
interface Benchmark {
  name: string;
  run(context: BenchContext): Promise<unknown>;
}

// In the order they run; they share the servers of the run (one bare app, one Peerloop per seed).
const BENCHMARKS: Benchmark[] = [
  { name: 'ack', run: runAckLatency },
  { name: 'list', run: runSessionsList },
  { name: 'join', run: runSessionsJoin },
  { name: 'open', run: runOpenLoopBench },
  { name: 'saturation', run: runSaturation },
  { name: 'jobs', run: () => runJobsThroughput() },
  { name: 'matching', run: () => runMatching() },
  { name: 'export', run: () => runExport() },
  { name: 'digest', run: () => runDigest() },
  { name: 'crash', run: () => runCrash() },
];

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllServers();
    process.exit(130);
  });
}

async function main(): Promise<void> {
  // Flags (`--rate 20`, `--duration=5`) belong to the benchmarks (bench/open-loop.ts), not the list of names.
  const args = process.argv.slice(2);
  const wanted = args.filter((a, i) => !a.startsWith('-') && !(i > 0 && /^--[a-z-]+$/.test(args[i - 1]!)));
  const unknown = wanted.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const selected = wanted.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => wanted.includes(b.name));
  const context = createBenchContext();
  const started = Date.now();
  const load = loadavg().map((n) => n.toFixed(2)).join(' ');
  console.log(`node ${process.version}, ${process.platform}/${process.arch}, load average ${load}; running: ${selected.map((b) => b.name).join(', ')}\n`);
  const crashed: string[] = [];
  try {
    for (const bench of selected) {
      try {
        await bench.run(context);
      } catch (error) {
        crashed.push(bench.name);
        console.log(`CRASH ${bench.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      console.log('');
    }
  } finally {
    await context.stopAll();
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s${crashed.length > 0 ? `; crashed: ${crashed.join(', ')}` : ''}`);
  if (crashed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error('benchmark crashed:', error);
  killAllServers();
  process.exitCode = 1;
});
