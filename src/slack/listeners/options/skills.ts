import { z } from 'zod';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { toBoltOptions } from '../../bolt-view.js';
import { suggestRoles, suggestSkills } from '../../flows/skills.js';
import type { OptionsArgs } from '../dispatch.js';

/** What was typed into the select; Slack sends at most a short query, anything odd becomes "". */
const Query = z.string().max(2000).catch('');

/**
 * The skill selects of the profile modal: the workspace's skills matching what was typed, and
 * an "Add" option for a new one. Answered within the ack (Slack waits 3 s for options).
 */
export function createSkillOptionsListener(deps: AppDeps) {
  return async ({ ack, body, context }: OptionsArgs) => {
    const actor = requireActor(context);
    await ack(toBoltOptions(suggestSkills(deps, actor, Query.parse(body.value))));
  };
}

/** The role select: roles people here already use, what was typed, and "No role". */
export function createRoleOptionsListener(deps: AppDeps) {
  return async ({ ack, body, context }: OptionsArgs) => {
    const actor = requireActor(context);
    await ack(toBoltOptions(suggestRoles(deps, actor, Query.parse(body.value))));
  };
}
