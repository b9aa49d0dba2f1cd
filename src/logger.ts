import { pino, type Logger as PinoLogger } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';

/** Structured JSON logs on stdout; the one logger every layer receives. */
export type Logger = PinoLogger;

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { app: 'peerloop' } }, destination ?? process.stdout);
}

/** Bolt and the Web API client speak their own Logger interface; route them into ours. */
export function toBoltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => child.debug(join(msg)),
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
