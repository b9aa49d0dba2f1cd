import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { SlackCallError } from '../src/slack/slack-errors.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, out };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, time, bindings, fields and msg', () => {
    const { lines, out } = capture();
    const log = createLogger('info', out).child({ component: 'test' });
    log.info({ teamId: 'T1' }, 'hello');
    log.warn('plain message');
    expect(lines[0]).toMatchObject({ level: 'info', app: 'peerloop', component: 'test', teamId: 'T1', msg: 'hello' });
    expect(typeof lines[0]!.time).toBe('string');
    expect(lines[1]).toMatchObject({ level: 'warn', msg: 'plain message' });
  });

  it('drops lines below the level and writes nothing when silent', () => {
    const { lines, out } = capture();
    createLogger('warn', out).info('not shown');
    createLogger('silent', out).fatal('not shown either');
    expect(lines).toHaveLength(0);
  });

  it('keeps the useful parts of errors', () => {
    const { lines, out } = capture();
    createLogger('info', out).error({ err: new SlackCallError('chat.postMessage', 'channel_not_found', 'permanent') }, 'send failed');
    expect(lines[0]!.err).toMatchObject({ type: 'SlackCallError', code: 'channel_not_found', kind: 'permanent', method: 'chat.postMessage' });
  });
});
