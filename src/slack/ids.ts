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
} as const;

/** Modal callback_ids for sessions. */
export const SessionViews = {
  schedule: 'session_schedule',
  attendance: 'session_attendance',
} as const;
