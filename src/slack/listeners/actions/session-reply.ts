import { z } from 'zod';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { buildEphemeralText } from '../../blocks/help.js';
import type { AppDeps } from '../../deps.js';

/** A session button's value: the session number, nothing else (the workspace comes from the payload). */
export const SessionButtonValue = z
  .string()
  .regex(/^\d{1,10}$/, 'not a session number')
  .transform(Number)
  .refine((n) => n >= 1 && Number.isSafeInteger(n), 'not a session number');
export type SessionButtonValue = z.infer<typeof SessionButtonValue>;

interface ActionBodyLike {
  response_url?: string;
  channel?: { id?: string };
  container?: { type?: string };
}

/**
 * Tells the person who clicked, privately: through the response_url when the click came from
 * a message (card, list), else nothing to reply to (App Home refreshes itself).
 */
export async function replyToClick(deps: AppDeps, teamId: string, body: ActionBodyLike, text: string): Promise<void> {
  if (body.response_url === undefined || body.response_url === '') return;
  try {
    await deps.messenger.respond(body.response_url, { ...buildEphemeralText(text), replace_original: false });
  } catch (error) {
    deps.logger.warn({ err: error, teamId }, 'reply to a click not delivered');
  }
}

/** Runs a click's work after the ack; an AppError becomes its message, anything else the generic one. */
export async function runClick(deps: AppDeps, teamId: string, body: ActionBodyLike, work: () => Promise<string | undefined>): Promise<void> {
  let text: string | undefined;
  try {
    text = await work();
  } catch (error) {
    if (isAppError(error)) text = error.message;
    else {
      deps.logger.error({ err: error, teamId }, 'session click failed');
      text = UNEXPECTED_ERROR_TEXT;
    }
  }
  if (text !== undefined) await replyToClick(deps, teamId, body, text);
}

export const INVALID_BUTTON_TEXT = "That button doesn't name a session Peerloop knows. Try `/peer list`.";
