/**
 * AppError carries a stable code (for logs and tests) and a message a person can read.
 * Services throw it; listeners show `message` to the person and log `code`.
 */
export type AppErrorCode =
  | 'config_invalid'
  | 'database_unavailable'
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'slack_error';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    options?: { cause?: unknown; field?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.field = options?.field;
  }

  /** The modal block_id the message belongs on, when it came from one field. */
  readonly field: string | undefined;
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The one text people see when something unexpected broke; details go to the log. */
export const UNEXPECTED_ERROR_TEXT =
  "Sorry, something went wrong on Peerloop's side and nothing was changed. Please try again in a minute.";

/** Said to anyone who is not an admin and asks to change workspace settings. */
/** For someone whose admin rights Slack has not told us yet (users.info was slow on their first visit). */
export const SETTINGS_ADMIN_UNKNOWN_TEXT =
  "I couldn't check your admin rights with Slack just now. Please run `/peer settings` again in a moment.";

export const SETTINGS_ADMIN_ONLY_TEXT =
  "Workspace settings can only be changed by a Slack admin or owner (or someone listed in PEERLOOP_ADMINS). If something should change, ask one of them; they can run `/peer settings`.";

/** Said to anyone who is not an admin and asks to set up or stop matching rounds (one text for every check). */
export const MATCH_ADMIN_ONLY_TEXT = 'Only a Slack admin or owner can set up or stop matching rounds. Ask one of them to run `/peer match setup` in this channel.';

/** Said to anyone who is not an admin and runs `/peer export` (nothing is built or sent). */
export const EXPORT_ADMIN_ONLY_TEXT = 'Exports are for Slack admins and owners (or people in PEERLOOP_ADMINS). Ask one of them to run `/peer export`.';

/** For someone whose admin rights Slack has not told us yet. */
export const EXPORT_ADMIN_UNKNOWN_TEXT = "I couldn't check your admin rights with Slack just now. Please run `/peer export` again in a moment.";

/** Slack answered missing_scope (or not_allowed_token_type): what the admin must do. */
export function missingPermissionText(scope: string): string {
  return `Peerloop needs the ${scope} permission: update the app from manifest.yml and reinstall it.`;
}
