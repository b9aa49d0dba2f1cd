/**
 * action_id / callback_id / block_id constants shared by the Block Kit builders and the
 * listeners, so the two can never drift apart. Add new groups as new `export const` blocks.
 */
export const COMMAND = '/peer';

/** Global shortcut "Schedule a peer session" (manifest.yml uses this callback_id). */
export const SCHEDULE_SHORTCUT = 'schedule_session_shortcut';

/** Buttons and selects about sessions. Button values carry the session number only. */
export const SessionActions = {
  join: 'session_join',
  leave: 'session_leave',
  cancel: 'session_cancel',
  edit: 'session_edit',
  openSchedule: 'session_open_schedule',
  formatSelect: 'session_format_select',
  /** The card's "Add to calendar" link button (a URL button still sends a click to ack). */
  calendarLink: 'session_calendar_link',
} as const;

/** Modal callback_ids for sessions. */
export const SessionViews = {
  schedule: 'session_schedule',
  attendance: 'session_attendance',
} as const;

/**
 * Schedule / edit modal: one input block per field (block_id = field name, so errors land
 * inline) and one action_id per element. Duration and agenda block ids get a `.<rev>` suffix
 * that changes when the format is picked, so Slack shows the new defaults instead of keeping
 * the old text; read them by action_id.
 */
export const ScheduleModalFields = {
  format: 'format',
  title: 'title',
  topic: 'topic',
  date: 'date',
  time: 'time',
  duration: 'duration',
  host: 'host',
  capacity: 'capacity',
  channel: 'channel',
  link: 'link',
  agenda: 'agenda',
  repeat: 'repeat',
} as const;

/** Attendance modal: checkbox groups of at most 10 people each, block ids `attended_<i>`. */
export const AttendanceFields = {
  blockPrefix: 'attended_',
  action: 'attended',
} as const;

/** The host's "Who came?" DM when a session ends. Both buttons carry the session number only. */
export const AttendanceActions = {
  block: 'attendance_ask',
  everyoneCame: 'attendance_everyone_came',
  markWhoCame: 'attendance_mark_who_came',
} as const;

/** Feedback poll buttons. Vote values are `<session>:<1-5>`; the comment button carries the session. */
export const PollActions = {
  /** Prefix of the five vote buttons (`poll_vote_1` ... `poll_vote_5`; ids must differ within a block). */
  votePrefix: 'poll_vote_',
  comment: 'poll_comment',
} as const;

/** Feedback poll modals and their input blocks. */
export const PollViews = {
  comment: 'poll_comment_modal',
  ratingBlock: 'poll_rating',
  ratingInput: 'rating',
  commentBlock: 'poll_comment_text',
  commentInput: 'comment',
  /** The "include it in admins' exports" checkbox (poll_votes.comment_shared). */
  shareBlock: 'poll_comment_share',
  shareInput: 'share',
} as const;

/** `/peer settings` (admins) modal: callback and one block per field, so errors land inline. */
export const SettingsViews = {
  modal: 'workspace_settings',
  timeZoneBlock: 'settings_time_zone',
  leadTimesBlock: 'settings_lead_times',
  weeklyDayBlock: 'settings_weekly_day',
  weeklyHourBlock: 'settings_weekly_hour',
  pollQuestionBlock: 'settings_poll_question',
  messagesPerMinuteBlock: 'settings_messages_per_minute',
  /** The weekly KPI digest: its channel (a conversations_select, optional), weekday and hour. */
  digestChannelBlock: 'settings_digest_channel',
  digestDayBlock: 'settings_digest_day',
  digestHourBlock: 'settings_digest_hour',
  /** KPI targets and the time-to-competency baseline (days, or a datepicker; both optional). */
  participationTargetBlock: 'settings_participation_target',
  sessionsTargetBlock: 'settings_sessions_target',
  competencyTargetBlock: 'settings_competency_target',
  baselineDaysBlock: 'settings_baseline_days',
  baselineBeforeBlock: 'settings_baseline_before',
  /** Every settings block holds one input with this action_id. */
  input: 'value',
} as const;

/** The opt-out toggle on App Home. Value: `out` or `in` (the state the click asks for). */
export const OptOutActions = {
  toggle: 'optout_toggle',
} as const;

/**
 * Skills profile (`/peer skills`, App Home "Edit profile"): the modal's callback and one block per
 * field, so errors land inline. The skill and role selects load their options from the app
 * (block_suggestion), routed by action_id.
 */
export const SkillsViews = {
  profile: 'skills_profile',
  teachBlock: 'skills_teach',
  learnBlock: 'skills_learn',
  roleBlock: 'skills_role',
  matchingBlock: 'skills_matching',
  pauseBlock: 'skills_pause',
  /** Learning start dates: one datepicker block per skill to learn, `skills_start_<row id>`. */
  startDates: 'skills_start_dates',
  startBlockPrefix: 'skills_start_',
  /** `/peer learned` and the Home button: the "I learned it" modal. */
  learned: 'skills_learned',
  taughtByBlock: 'skills_taught_by',
  canTeachBlock: 'skills_can_teach',
} as const;

/** Element action_ids of the skills modals; the two skill selects and the role select load options by these. */
export const SkillsInputs = {
  teach: 'teach_skills',
  learn: 'learn_skills',
  role: 'role',
  matching: 'matching',
  pause: 'pause_until',
  startDate: 'start_date',
  taughtBy: 'taught_by',
  canTeach: 'can_teach',
} as const;

/** Skills buttons (App Home, the teacher's DM). Values: `home`, or a member_skills row id. */
export const SkillsActions = {
  openProfile: 'skills_open_profile',
  openStartDates: 'skills_open_start_dates',
  markLearned: 'skills_mark_learned',
  confirmTaught: 'skills_confirm_taught',
} as const;

/**
 * Matching rounds and `/peer match`. Group buttons carry the group id; Skip / Join this round
 * carry `<channel>:<YYYY-MM-DD>`; the partner button carries the partner's user id.
 */
export const MatchActions = {
  /** The intro's "Schedule a skill-swap": the schedule form, prefilled for the group. */
  scheduleSwap: 'match_schedule_swap',
  /** "Did you meet?" buttons: `match_checkin_met`, `_scheduled`, `_not_this_time` (ids must differ within a block). */
  checkinPrefix: 'match_checkin_',
  skip: 'match_skip_round',
  unskip: 'match_unskip_round',
  resume: 'match_resume',
  /** `/peer match`: open a group DM with this partner and introduce us. */
  openDm: 'match_open_dm',
} as const;

/** `/peer match setup` (admins) modal: one block per field so errors land inline; every block's input has action_id `value`. */
export const MatchViews = {
  setup: 'match_setup',
  modeBlock: 'match_mode',
  cadenceBlock: 'match_cadence',
  weekdayBlock: 'match_weekday',
  hourBlock: 'match_hour',
  repeatBlock: 'match_repeat_weeks',
  input: 'value',
} as const;

/** `/peer digest` preview: Post to #channel now (admins). Value: the ISO week the digest covers (2026-W48). */
export const DigestActions = {
  postNow: 'digest_post_now',
} as const;
