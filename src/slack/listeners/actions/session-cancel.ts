import type { AppDeps } from '../../../deps.js';
import { cancelFlow } from '../../flows/sessions.js';
import { createSessionButtonListener } from './session-reply.js';

/** Cancel button (App Home, behind a confirm dialog). Rights are re-checked by cancelSession: host, creator or admin only. */
export function createSessionCancelListener(deps: AppDeps) {
  return createSessionButtonListener(deps, (flowDeps, actor, number) => cancelFlow(flowDeps, actor, number, null));
}
