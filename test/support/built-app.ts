import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';

/** The repository root, where `npm start` runs. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * For tests that run Peerloop as `npm start` does: builds dist/ once (scripts/build.mjs, what
 * `npm start` and `npm install` run), and gives a temp working folder and a fake Slack, both
 * removed after the file's tests. The fields are filled in before the first test.
 */
export function useBuiltApp(prefix: string): { work: string; fake: FakeSlack } {
  const used = {} as { work: string; fake: FakeSlack };
  beforeAll(async () => {
    execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    used.work = mkdtempSync(join(tmpdir(), `peerloop-${prefix}-`));
    used.fake = await startFakeSlack();
  });
  afterAll(async () => {
    await used.fake.stop();
    rmSync(used.work, { recursive: true, force: true });
  });
  return used;
}
