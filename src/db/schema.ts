import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
    // KPIs narrowed to one channel (services/kpi-queries.ts) read that channel's sessions of a period.
    index('sessions_team_channel_idx').on(t.teamId, t.channelId, t.startsAt),
    // "New participants" checks each person's earlier sessions by number: status and start from
    // this small index, not from the rows (the digest's 250 ms on 200,000 sessions).
    index('sessions_team_number_state_idx').on(t.teamId, t.number, t.status, t.startsAt),
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
    // A person's sessions; the columns after user_id let the KPIs' "first session ever" check
    // read only the index (services/kpi-queries.ts).
    index('participants_team_user_idx').on(t.teamId, t.userId, t.sessionNumber, t.role, t.waitlisted, t.leftAt, t.attended),
    // Seat and waitlist counts (every card refresh, every /peer list row) read only this index,
    // never the rows: about a fifth less time for a 47-session list on the 10k-session seed.
    // attended and user_id let the KPIs (attendance, votes, new participants) read it alone too.
    index('participants_team_session_state_idx').on(t.teamId, t.sessionNumber, t.leftAt, t.role, t.waitlisted, t.attended, t.userId),
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
    /**
     * A claimed job belongs to its process until this time; the process's heartbeat keeps moving
     * it on while the process lives, so once it has passed the process is dead and another may
     * take the job over.
     */
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    /** JSON: what sending produced (message ts, channel) or why it was skipped. */
    result: text('result'),
    /** The process holding a running job (or that last held it). With claimed_at, names the claim. */
    owner: text('owner'),
    /** When the current (or last) claim took the job. */
    claimedAt: integer('claimed_at'),
    /**
     * Set when an earlier attempt may have reached Slack without its result being recorded (its
     * process died, or a post timed out): the next attempt looks for the message it would send,
     * posted since this time, before sending it. Null: nothing can have been sent yet.
     */
    verifySince: integer('verify_since'),
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
    /** The comment's author allowed it in exports (`/peer export`); unshared comments never leave the app. */
    commentShared: integer('comment_shared', { mode: 'boolean' }).notNull().default(false),
    votedAt: integer('voted_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.sessionNumber, t.userId] }),
    foreignKey({ columns: [t.teamId, t.sessionNumber], foreignColumns: [polls.teamId, polls.sessionNumber] }).onDelete('cascade'),
  ],
);

/**
 * A skill as the workspace first spelled it. `key` is its normalised form (trimmed, inner spaces
 * collapsed, case and accents folded: services/skills.ts), so "SQL", " sql " and "Sql" are one
 * skill, shown everywhere with the first spelling.
 */
export const skills = sqliteTable(
  'skills',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    name: text('name').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.key] })],
);

/** A person's matching profile: role, whether they take part in matching, and a pause. */
export const profiles = sqliteTable(
  'profiles',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    /** Role or team as typed (first spelling kept per roleKey, like skills). */
    role: text('role'),
    roleKey: text('role_key'),
    /** Opt-in: nobody is matched until they say so. */
    matchingOptIn: integer('matching_opt_in', { mode: 'boolean' }).notNull().default(false),
    /** Not matched before this instant (the start of the day after the chosen date, in their zone). */
    pausedUntil: integer('paused_until'),
    /** Why: the person chose it, or Peerloop paused them after rounds without an answer. */
    pauseReason: text('pause_reason', { enum: ['chosen', 'no_answers'] }),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index('profiles_team_role_idx').on(t.teamId, t.roleKey)],
);

/**
 * What a person can teach or wants to learn, as history: adding makes a row, removing stamps
 * removed_at, learning stamps completed_at (time-to-competency is completed_at - started_at).
 * Rows are never rewritten into something else, so a skill removed, added again and learned
 * shows as three facts.
 */
export const memberSkills = sqliteTable(
  'member_skills',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    teamId: text('team_id').notNull(),
    userId: text('user_id').notNull(),
    skillKey: text('skill_key').notNull(),
    kind: text('kind', { enum: ['teach', 'learn'] }).notNull(),
    /** For a skill to learn: the day learning started (editable back up to a year). For teach: when added. */
    startedAt: integer('started_at').notNull(),
    addedAt: integer('added_at').notNull(),
    removedAt: integer('removed_at'),
    /** Learn rows only: when the learner marked it learned. */
    completedAt: integer('completed_at'),
    /** Learn rows only: the peer the learner named as their teacher, and when that peer confirmed. */
    taughtBy: text('taught_by'),
    taughtConfirmedAt: integer('taught_confirmed_at'),
  },
  (t) => [
    uniqueIndex('member_skills_team_id_idx').on(t.teamId, t.id),
    index('member_skills_team_user_idx').on(t.teamId, t.userId, t.kind),
    // removed_at, completed_at and user_id: counting current learners and teachers per skill
    // (type-ahead, the digest's skill gaps) reads only the index.
    index('member_skills_team_skill_idx').on(t.teamId, t.skillKey, t.kind, t.removedAt, t.completedAt, t.userId),
    // Competencies reached in a period (time to competency, its baseline).
    index('member_skills_team_completed_idx').on(t.teamId, t.kind, t.completedAt),
    // `/peer stats`: the people I taught, without reading the workspace's skill rows.
    index('member_skills_team_taught_by_idx').on(t.teamId, t.taughtBy, t.kind, t.completedAt),
    foreignKey({ columns: [t.teamId, t.skillKey], foreignColumns: [skills.teamId, skills.key] }).onDelete('cascade'),
  ],
);

/** A channel's matching rounds, as an admin set them up with `/peer match setup`. */
export const matchChannels = sqliteTable(
  'match_channels',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId, { onDelete: 'cascade' }),
    channelId: text('channel_id').notNull(),
    mode: text('mode', { enum: ['skill-swap', 'pods'] }).notNull(),
    /** 1, 2 or 4: a round every that many weeks, counted from anchorDate. */
    cadenceWeeks: integer('cadence_weeks').notNull(),
    /** 0 = Sunday ... 6 = Saturday, and the hour, in the workspace zone (as the weekly DM's settings). */
    weekday: integer('weekday').notNull(),
    hour: integer('hour').notNull(),
    /** Two people are not matched again within this many weeks. */
    repeatWeeks: integer('repeat_weeks').notNull().default(12),
    /** The local date (YYYY-MM-DD) of the first round; the cadence counts from it. */
    anchorDate: text('anchor_date').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.channelId] })],
);

/** One round of one channel (job key match_round:<channel>:<date>): whether and how it ran. */
export const matchRounds = sqliteTable(
  'match_rounds',
  {
    teamId: text('team_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** The round's local date, YYYY-MM-DD in the workspace zone. */
    roundDate: text('round_date').notNull(),
    status: text('status', { enum: ['running', 'done', 'not_run'] }).notNull(),
    /** Why a round did not run (bot not in the channel, fewer than two people), as told to the admin. */
    reason: text('reason'),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    summaryTs: text('summary_ts'),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.channelId, t.roundDate] }),
    foreignKey({ columns: [t.teamId, t.channelId], foreignColumns: [matchChannels.teamId, matchChannels.channelId] }).onDelete('cascade'),
  ],
);

/**
 * A group that was matched: in a channel's round (channelId and roundDate set) or from
 * `/peer match` (both null). Kept with its score and reason; the intro's group DM and the
 * "Did you meet?" answer are recorded on it.
 */
export const matchGroups = sqliteTable(
  'match_groups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId, { onDelete: 'cascade' }),
    channelId: text('channel_id'),
    roundDate: text('round_date'),
    /** Position in its round, so a rerun finds the same group (unique with the round). */
    groupIndex: integer('group_index').notNull(),
    score: real('score').notNull(),
    /** JSON: why they were matched (who teaches whom what, same role, shared hours). */
    reason: text('reason').notNull(),
    conversationId: text('conversation_id'),
    introTs: text('intro_ts'),
    /** ts of the "Did you meet?" message once posted: only groups that were asked count towards the "no answers" pause. */
    checkinTs: text('checkin_ts'),
    createdAt: integer('created_at').notNull(),
    outcome: text('outcome', { enum: ['met', 'scheduled', 'not_this_time'] }),
    outcomeBy: text('outcome_by'),
    outcomeAt: integer('outcome_at'),
  },
  (t) => [
    uniqueIndex('match_groups_team_id_idx').on(t.teamId, t.id),
    uniqueIndex('match_groups_round_idx').on(t.teamId, t.channelId, t.roundDate, t.groupIndex),
    // Groups formed in a period (the KPIs' matching numbers).
    index('match_groups_team_created_idx').on(t.teamId, t.createdAt),
  ],
);

export const matchGroupMembers = sqliteTable(
  'match_group_members',
  {
    teamId: text('team_id').notNull(),
    groupId: integer('group_id')
      .notNull()
      .references(() => matchGroups.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.groupId, t.userId] }), index('match_group_members_team_user_idx').on(t.teamId, t.userId)],
);

/** People in a round who were not matched: those who asked to skip it, and those who sat out (with why). */
export const matchRoundPeople = sqliteTable(
  'match_round_people',
  {
    teamId: text('team_id').notNull(),
    channelId: text('channel_id').notNull(),
    roundDate: text('round_date').notNull(),
    userId: text('user_id').notNull(),
    state: text('state', { enum: ['skipping', 'sat_out'] }).notNull(),
    reason: text('reason'),
    at: integer('at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.channelId, t.roundDate, t.userId] }),
    foreignKey({ columns: [t.teamId, t.channelId], foreignColumns: [matchChannels.teamId, matchChannels.channelId] }).onDelete('cascade'),
  ],
);

/**
 * The numbers behind one weekly digest (job key digest:<team>:<ISO week>), stored before it is
 * posted: a re-run posts from the same numbers (or nothing, once posted), and next week's trend
 * compares with what this digest said rather than a recomputation over changed data.
 */
export const digestSnapshots = sqliteTable(
  'digest_snapshots',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId, { onDelete: 'cascade' }),
    /** ISO week of the digest's period, e.g. 2026-W48. */
    weekId: text('week_id').notNull(),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end').notNull(),
    /** JSON: the KPI report (services/kpis.ts) the digest was built from. */
    kpis: text('kpis').notNull(),
    channelId: text('channel_id'),
    // post_failed: Slack refused the post for good for another reason (missing_scope, invalid_blocks, …). A plain text column: no migration.
    status: text('status', { enum: ['computed', 'posted', 'not_in_channel', 'no_channel', 'post_failed'] }).notNull().default('computed'),
    messageTs: text('message_ts'),
    chartFileId: text('chart_file_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.weekId] })],
);

/** Used by the health check: the cheapest query that proves the schema is there. */
export const healthQuery = sql`select count(*) as n from ${workspaces} where 0`;

/**
 * The workspace's shared send window (services/send-budget.ts): one row per Slack message sent
 * in the last minute by any process on this file, so every process counts the same sends
 * against the messages-per-minute cap. Rows older than a minute are deleted as sends go.
 * No foreign key: a row lives a minute, and a send must never fail on a missing workspace row.
 */
export const sendReservations = sqliteTable(
  'send_reservations',
  {
    id: integer('id').primaryKey(),
    teamId: text('team_id').notNull(),
    at: integer('at').notNull(),
  },
  // Unique only through id (several sends can share a millisecond); (team_id, at) is what the window reads.
  (t) => [uniqueIndex('send_reservations_team_at_idx').on(t.teamId, t.at, t.id)],
);

/** Slack answered 429 for this method in this workspace: every process holds it until `until`. */
export const sendPauses = sqliteTable(
  'send_pauses',
  {
    teamId: text('team_id').notNull(),
    method: text('method').notNull(),
    until: integer('until').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.method] })],
);

