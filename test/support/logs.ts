import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed. */
  records(): Record<string, unknown>[];
  /** The records whose msg contains `text`. */
  matching(text: string): Record<string, unknown>[];
}

/** A real logger (src/logger.ts) writing into memory, so a test can assert on what an operator reads. */
export function captureLogs(level = 'info'): CapturedLogs {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(level, sink);
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, records, matching: (text) => records().filter((r) => String(r.msg ?? '').includes(text)) };
}
