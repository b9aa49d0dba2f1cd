import type { AppDeps } from '../../../deps.js';
import { leaveFlow } from '../../flows/sessions.js';
import { createSessionButtonListener } from './session-reply.js';

/** Leave button (card, /peer list, App Home, reminder DMs). */
export function createSessionLeaveListener(deps: AppDeps) {
  return createSessionButtonListener(deps, leaveFlow);
}
