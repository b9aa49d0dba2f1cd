import type { AppDeps } from '../../../deps.js';
import { resumeMatchingFlow } from '../../flows/matching.js';
import { createClickListener } from './click-reply.js';
import { FORGED_TEXT } from './match-values.js';

/** Resume matching (the pause DM, App Home). */
export function createMatchResumeListener(deps: AppDeps) {
  return createClickListener(deps, async ({ actor, value }) => (value === 'resume' ? resumeMatchingFlow(deps, actor) : { refused: FORGED_TEXT }), { queued: true });
}
