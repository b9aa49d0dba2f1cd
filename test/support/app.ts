import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { composePeerloop } from '../../src/compose.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createSettableClock, type SettableClock } from '../../src/clock.js';
import { EVENTS_PATH, type AppOptions, type PeerloopApp } from '../../src/app.js';
import { openDb, type DbHandle } from '../../src/db/client.js';
import { parseConfig, type Config } from '../../src/config.js';
import type { AppDeps } from '../../src/deps.js';
import type { Scheduler } from '../../src/jobs/scheduler.js';
import type { TickReport, JobPlanner } from '../../src/jobs/types.js';
import { blockActionsBody, blockSuggestionBody, eventBody, slashCommandBody, viewSubmissionBody, type ActionSpec, type ViewSpec, type Who } from './payloads.js';
import { signRequest, TEST_SIGNING_SECRET } from './sign.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';

export interface HttpResult {
  status: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON (or empty). */
  json: any;
}

export interface TestApp {
  url: string;
  fake: FakeSlack;
  clock: SettableClock;
  config: Config;
  database: DbHandle;
  deps: AppDeps;
  app: PeerloopApp;
  /** The job scheduler; its cron is NOT started in tests: call tick(). */
  scheduler: Scheduler;
  /** One full scheduler pass (planners, claim, run); resolves when every claimed job is settled. */
  tick(): Promise<TickReport>;
  /**
   * Resolves when every payload the app has received so far is fully handled: Bolt answers an
   * event before its listener runs, so the HTTP reply says nothing about what the listener did.
   */
  settled(): Promise<void>;
  /** POSTs a raw body to /slack/events, signed unless `sign: false`. */
  post(body: string, options?: { contentType?: string; sign?: boolean; headers?: Record<string, string> }): Promise<HttpResult>;
  command(text: string, who?: Who & { channel?: string; channelName?: string }): Promise<HttpResult>;
  action(actions: ActionSpec | ActionSpec[], who?: Parameters<typeof blockActionsBody>[1]): Promise<HttpResult>;
  submitView(view: ViewSpec, who?: Who): Promise<HttpResult>;
  event(event: Record<string, unknown>, who?: Who): Promise<HttpResult>;
  /** A type-ahead select in a modal asks for options (block_suggestion); the answer is in the ack. */
  suggest(spec: Parameters<typeof blockSuggestionBody>[0], who?: Who): Promise<HttpResult>;
  get(path: string): Promise<HttpResult>;
  /** Deletes every workspace's data (every table cascades from workspaces, as on uninstall). */
  clearData(): void;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  clock?: SettableClock;
  fake?: FakeSlack;
  /** Reuse a database file (to test restarts); by default a fresh temp file. */
  databasePath?: string;
  /** Replaces the job planners (default: all of src/jobs/planners.ts); `[]` isolates one kind of job. */
  planners?: JobPlanner[];
  /**
   * `false`: writes do not kick the scheduler (deps.runDueJobs is absent, as in a process that
   * runs no scheduler), so the notices they plan wait in the jobs table for tick().
   */
  kick?: boolean;
  /** Passed to createApp (e.g. a short Socket Mode connect deadline). */
  appOptions?: AppOptions;
  /** Replaces the logger (by default a real one at TEST_LOG_LEVEL, silent); see support/logs.ts. */
  logger?: Logger;
}

/**
 * Starts the whole app on an ephemeral port with a temp SQLite file and a fake Slack, exactly
 * as main.ts composes it (but with a settable clock).
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const fake = options.fake ?? (await startFakeSlack());
  const ownsFake = options.fake === undefined;
  const dir = options.databasePath === undefined ? mkdtempSync(join(tmpdir(), 'peerloop-test-')) : undefined;
  const databasePath = options.databasePath ?? join(dir!, 'peerloop.db');
  const parsed = parseConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    DATABASE_PATH: databasePath,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    ...options.env,
  });
  if (!parsed.ok) throw new Error(`test config invalid: ${parsed.problems.join('; ')}`);
  const config = parsed.config;
  const clock = options.clock ?? createSettableClock();
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = openDb(databasePath);
  // As main.ts composes it: the scheduler's cron is not started here, but a write's kick still runs its jobs.
  const { deps, app, scheduler } = composePeerloop({
    config,
    database,
    clock,
    logger,
    ...(options.appOptions === undefined ? {} : { appOptions: options.appOptions }),
    ...(options.planners === undefined ? {} : { planners: options.planners }),
    ...(options.kick === undefined ? {} : { kick: options.kick }),
  });
  // Bolt's receivers hand every payload to processEvent, which resolves once its listener is done.
  const inFlight = new Set<Promise<void>>();
  const processEvent = app.bolt.processEvent.bind(app.bolt);
  app.bolt.processEvent = (event) => {
    const run = processEvent(event);
    inFlight.add(run);
    const forget = () => inFlight.delete(run);
    run.then(forget, forget);
    return run;
  };
  const { port } = await app.start(0);
  const url = `http://127.0.0.1:${port}`;

  async function request(path: string, init: RequestInit): Promise<HttpResult> {
    const res = await fetch(`${url}${path}`, init);
    const text = await res.text();
    let json: any;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }

  const post: TestApp['post'] = (body, opts = {}) =>
    request(EVENTS_PATH, {
      method: 'POST',
      headers: {
        'content-type': opts.contentType ?? (body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded'),
        ...(opts.sign === false ? {} : signRequest(body)),
        ...opts.headers,
      },
      body,
    });

  return {
    url,
    fake,
    clock,
    config,
    database,
    deps,
    app,
    scheduler,
    tick: () => scheduler.tick(),
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    post,
    command: (text, who = {}) => post(slashCommandBody(text, { responseUrl: fake.responseUrl(), ...who })),
    action: (actions, who = {}) => post(blockActionsBody(Array.isArray(actions) ? actions : [actions], { responseUrl: fake.responseUrl(), ...who })),
    submitView: (view, who) => post(viewSubmissionBody(view, who)),
    event: (event, who) => post(eventBody(event, who)),
    suggest: (spec, who) => post(blockSuggestionBody(spec, who)),
    get: (path) => request(path, { method: 'GET' }),
    clearData: () => {
      database.sqlite.exec('DELETE FROM workspaces;');
    },
    async stop() {
      await app.stop().catch(() => undefined);
      await scheduler.stop().catch(() => undefined);
      database.close();
      if (ownsFake) await fake.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
