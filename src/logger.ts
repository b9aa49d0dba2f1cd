import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { systemClock } from './clock.js';

/**
 * Structured JSON logs, one object per line: `{"level":"warn","time":"…","app":"peerloop",…,"msg":"…"}`.
 * A small logger of our own rather than pino: the app logs a few lines per minute, and pino's
 * worker machinery cost ~7 MB of resident memory on every instance (measured by bench/ack-latency).
 * Call shapes follow pino's (`logger.warn({ teamId, err }, 'message')`) so switching back is trivial.
 */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

type LogFn = {
  (message: string): void;
  (fields: object, message?: string): void;
};

export interface Logger {
  readonly level: LogLevelName;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled(level: LogLevelName): boolean;
  /** Lines are written synchronously; kept for call sites that flush before exit. */
  flush(): void;
}

const rank = (level: LogLevelName) => LOG_LEVELS.indexOf(level);

/** Errors do not survive JSON.stringify; keep what helps debugging (code, Slack error kind). */
function serialize(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const extra = value as Error & { code?: unknown; kind?: unknown; method?: unknown };
  return { type: value.name, message: value.message, code: extra.code, kind: extra.kind, method: extra.method, stack: value.stack };
}

export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  const threshold = (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevelName) : 'info';
  return build(threshold, { app: 'peerloop' }, destination);
}

function build(threshold: LogLevelName, bindings: Record<string, unknown>, out: NodeJS.WritableStream): Logger {
  const enabled = (lvl: LogLevelName) => threshold !== 'silent' && rank(lvl) >= rank(threshold);
  const write = (lvl: LogLevelName): LogFn =>
    ((fieldsOrMessage: object | string, message?: string) => {
      if (!enabled(lvl)) return;
      const fields = typeof fieldsOrMessage === 'string' ? {} : fieldsOrMessage;
      const msg = typeof fieldsOrMessage === 'string' ? fieldsOrMessage : message;
      const line: Record<string, unknown> = { level: lvl, time: new Date(systemClock.now()).toISOString(), ...bindings };
      for (const [key, value] of Object.entries(fields)) line[key] = serialize(value);
      if (msg !== undefined) line.msg = msg;
      out.write(`${JSON.stringify(line)}\n`);
    }) as LogFn;
  return {
    level: threshold,
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    fatal: write('fatal'),
    child: (more) => build(threshold, { ...bindings, ...more }, out),
    isLevelEnabled: enabled,
    flush: () => {},
  };
}

/** Bolt and the Web API client speak their own Logger interface; route them into ours. */
export function toBoltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(serialize(m)))).join(' ');
  return {
    // Bolt builds debug strings eagerly on hot paths; skip the join when debug is off.
    debug: (...msg) => {
      if (child.isLevelEnabled('debug')) child.debug(join(msg));
    },
    info: (...msg) => child.info(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    // Our level is set once from LOG_LEVEL; Bolt asking to change it is ignored on purpose.
    setLevel: () => {},
    getLevel: () => {
      const map: Record<string, LogLevel> = { trace: LogLevel.DEBUG, debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN };
      return map[logger.level] ?? LogLevel.ERROR;
    },
    setName: () => {},
  };
}
