import { systemClock } from './clock.js';
import { loadDatabaseConfig } from './config.js';
import { backupDatabase } from './db/backup.js';
import { isAppError } from './errors.js';

/**
 * `npm run backup [-- path]`: an online backup of DATABASE_PATH, safe while Peerloop runs. Reads
 * only DATABASE_PATH (from the environment or .env), so it needs no Slack tokens. Bundled into
 * dist/backup.js by scripts/build.mjs, so a production install without dev tools can run it.
 */

const USAGE = 'usage: npm run backup [-- <file or folder>]   (default: backups/peerloop-<UTC time>.db)\n';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
    process.stderr.write(`Backup not taken: expected at most one path, got ${args.map((a) => JSON.stringify(a)).join(' ')}.\n${USAGE}`);
    process.exit(1);
  }
  const loaded = loadDatabaseConfig();
  if (!loaded.ok) {
    process.stderr.write(`Backup not taken:\n${loaded.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  try {
    const { path, bytes } = await backupDatabase(loaded.databasePath, args[0], systemClock);
    process.stdout.write(`Backup written to ${path} (${formatBytes(bytes)}).\n`);
  } catch (error) {
    if (!isAppError(error)) throw error;
    process.stderr.write(`Backup not taken: ${error.message}\n`);
    process.exit(1);
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

main().catch((error: unknown) => {
  process.stderr.write(`Backup failed on an unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
