/**
 * Bundles Peerloop's own TypeScript into one ESM file with esbuild; every package stays in
 * node_modules (`packages: 'external'`), so the bundle holds only our code, with types stripped
 * and nothing else changed (no minifying: stack traces stay readable).
 *
 * Why a bundle rather than running the sources through tsx: tsx keeps a loader thread and a
 * transformed copy of every module in memory, about 50 MB more resident memory than plain Node
 * for this app (docs/operations.md, "Why a bundle").
 *
 *   node scripts/build.mjs                      src/main.ts -> dist/main.js (what `npm start` runs),
 *                                               src/backup-cli.ts -> dist/backup.js (`npm run backup`),
 *                                               src/demo-cli.ts -> dist/demo.js (`npm run demo`),
 *                                               src/report-cli.ts -> dist/report.js (`npm run report`)
 *   node scripts/build.mjs --outdir DIR A.ts…   each entry -> DIR/<name>.js (the benchmark servers)
 *
 * Plain JavaScript on purpose: `npm start` runs it before anything TypeScript-aware is loaded,
 * and it needs only esbuild, a regular dependency.
 */
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The same settings for the app and for everything the benchmarks compare it with. */
const options = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // Written next to the bundle, read only when Node runs with --enable-source-maps.
  sourcemap: 'linked',
  logLevel: 'warning',
};

const args = process.argv.slice(2);
const outdirAt = args.indexOf('--outdir');
if (outdirAt === -1) {
  await buildAtomically({ ...options, entryPoints: { main: 'src/main.ts', backup: 'src/backup-cli.ts', demo: 'src/demo-cli.ts', report: 'src/report-cli.ts' }, outdir: 'dist' });
} else {
  const outdir = args[outdirAt + 1];
  const entryPoints = args.filter((_, i) => i !== outdirAt && i !== outdirAt + 1);
  if (outdir === undefined || entryPoints.length === 0) {
    console.error('usage: node scripts/build.mjs [--outdir DIR ENTRY.ts...]');
    process.exit(2);
  }
  await build({ ...options, entryPoints, outdir });
}

/**
 * Each file is written beside its final name and renamed over it, so a Node process starting
 * while another build runs (npm start and the tests, side by side) never reads half a file.
 */
async function buildAtomically(settings) {
  const result = await build({ ...settings, write: false });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}
