import type { AppDeps } from '../../../deps.js';
import { joinFlow } from '../../flows/sessions.js';
import { createSessionButtonListener } from './session-reply.js';

/** Join button (card, /peer list, App Home). The session is looked up by (payload team, number). */
export function createSessionJoinListener(deps: AppDeps) {
  return createSessionButtonListener(deps, joinFlow);
}
