import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Every table carries team_id in its key: a Slack workspace's rows are never reachable
 * without naming the workspace. Times are epoch milliseconds (UTC).
 */

export const workspaces = sqliteTable('workspaces', {
  teamId: text('team_id').primaryKey(),
  name: text('name'),
  timeZone: text('time_zone').notNull(),
  /** JSON, validated by services/settings.ts on the way in and out. */
  settings: text('settings').notNull().default('{}'),
  /** Next short session number handed out in this workspace (`/peer join 42`). */
  nextSessionNumber: integer('next_session_number').notNull().default(1),
  /** Secret part of the workspace's calendar feed URL. */
  calendarToken: text('calendar_token'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const members = sqliteTable(
  'members',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    name: text('name'),
    timeZone: text('time_zone'),
    /** Slack admin or owner, as users.info said when we last asked. */
    isSlackAdmin: integer('is_slack_admin', { mode: 'boolean' }).notNull().default(false),
    optedOut: integer('opted_out', { mode: 'boolean' }).notNull().default(false),
    firstSeenAt: integer('first_seen_at').notNull(),
    /** When users.info was last read; the profile is refreshed after a day. */
    profileFetchedAt: integer('profile_fetched_at'),
    /** The bot's DM channel with this person (conversations.open), kept so a restart need not ask again. */
    dmChannelId: text('dm_channel_id'),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);

export const sessions = sqliteTable(
  'sessions',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId, { onDelete: 'cascade' }),
    /** Short human id, unique only inside one workspace. */
    number: integer('number').notNull(),
    title: text('title').notNull(),
    format: text('format').notNull(),
    topic: text('topic').notNull(),
    hostId: text('host_id').notNull(),
    creatorId: text('creator_id').notNull(),
    startsAt: integer('starts_at').notNull(),
    durationMin: integer('duration_min').notNull(),
    capacity: integer('capacity'),
    channelId: text('channel_id').notNull(),
    announcementTs: text('announcement_ts'),
    agenda: text('agenda').notNull().default(''),
    link: text('link'),
    status: text('status', { enum: ['scheduled', 'cancelled'] }).notNull().default('scheduled'),
    cancelReason: text('cancel_reason'),
    seriesId: text('series_id'),
    /** iCalendar SEQUENCE: bumped on every edit so calendars take the newest version. */
    sequence: integer('sequence').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.number] }),
    index('sessions_team_start_idx').on(t.teamId, t.status, t.startsAt),
    index('sessions_team_host_idx').on(t.teamId, t.hostId),
    // App Home finds the sessions a person scheduled for someone else.
    index('sessions_team_creator_idx').on(t.teamId, t.creatorId),
    index('sessions_team_series_idx').on(t.teamId, t.seriesId),
  ],
);

export const participants = sqliteTable(
  'participants',
  {
    teamId: text('team_id').notNull(),
    sessionNumber: integer('session_number').notNull(),
    userId: text('user_id').notNull(),
    role: text('role', { enum: ['host', 'attendee'] }).notNull().default('attendee'),
    joinedAt: integer('joined_at').notNull(),
    /** Set when the person left; a later join clears it (the row is reused). */
    leftAt: integer('left_at'),
    attended: text('attended', { enum: ['yes', 'no', 'unknown'] }).notNull().default('unknown'),
    waitlisted: integer('waitlisted', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.sessionNumber, t.userId] }),
    foreignKey({ columns: [t.teamId, t.sessionNumber], foreignColumns: [sessions.teamId, sessions.number] }).onDelete('cascade'),
    index('participants_team_user_idx').on(t.teamId, t.userId),
    // Seat and waitlist counts (every card refresh, every /peer list row) read only this index,
    // never the rows: about a fifth less time for a 47-session list on the 10k-session seed.
    index('participants_team_session_state_idx').on(t.teamId, t.sessionNumber, t.leftAt, t.role, t.waitlisted),
  ],
);

export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    /** Idempotency key, e.g. reminder:<session>:<user>:24h. Scheduling it again is a no-op, except that a cancelled job is revived (never a done, running or failed one). */
    key: text('key').notNull(),
    payload: text('payload').notNull().default('{}'),
    runAt: integer('run_at').notNull(),
    status: text('status', { enum: ['pending', 'running', 'done', 'failed', 'skipped', 'cancelled'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** A claimed job belongs to one process until this time; after it, another may take it over. */
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    /** JSON: what sending produced (message ts, channel) or why it was skipped. */
    result: text('result'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('jobs_team_key_idx').on(t.teamId, t.key), index('jobs_due_idx').on(t.status, t.runAt)],
);

export const polls = sqliteTable(
  'polls',
  {
    teamId: text('team_id').notNull(),
    sessionNumber: integer('session_number').notNull(),
    question: text('question').notNull(),
    channelId: text('channel_id').notNull(),
    messageTs: text('message_ts'),
    status: text('status', { enum: ['open', 'closed'] }).notNull().default('open'),
    openedAt: integer('opened_at').notNull(),
    closesAt: integer('closes_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.sessionNumber] }),
    foreignKey({ columns: [t.teamId, t.sessionNumber], foreignColumns: [sessions.teamId, sessions.number] }).onDelete('cascade'),
  ],
);

export const pollVotes = sqliteTable(
  'poll_votes',
  {
    teamId: text('team_id').notNull(),
    sessionNumber: integer('session_number').notNull(),
    userId: text('user_id').notNull(),
    value: integer('value').notNull(),
    comment: text('comment'),
    votedAt: integer('voted_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.sessionNumber, t.userId] }),
    foreignKey({ columns: [t.teamId, t.sessionNumber], foreignColumns: [polls.teamId, polls.sessionNumber] }).onDelete('cascade'),
  ],
);

/** Used by the health check: the cheapest query that proves the schema is there. */
export const healthQuery = sql`select count(*) as n from ${workspaces} where 0`;
