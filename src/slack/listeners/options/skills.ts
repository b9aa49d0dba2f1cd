import { z } from 'zod';
import type { AppDeps } from '../../../deps.js';
import { requireActor, type Actor } from '../../actor.js';
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
  return answerOptions(deps, (actor, query) => suggestSkills(deps, actor, query));
}

/** The role select: roles people here already use, what was typed, and "No role". */
export function createRoleOptionsListener(deps: AppDeps) {
  return answerOptions(deps, (actor, query) => suggestRoles(deps, actor, query));
}

/**
 * Answers a type-ahead with `suggest`, or with no options if that fails (a busy database): the
 * menu then says it found nothing rather than showing Slack's generic error, and the log says why.
 */
function answerOptions(deps: AppDeps, suggest: (actor: Actor, query: string) => Parameters<typeof toBoltOptions>[0]) {
  return async ({ ack, body, context }: OptionsArgs) => {
    const actor = requireActor(context);
    let answer: Parameters<typeof toBoltOptions>[0];
    try {
      answer = suggest(actor, Query.parse(body.value));
    } catch (error) {
      deps.logger.error({ err: error, teamId: actor.teamId }, 'type-ahead options failed; answered with none');
      answer = { options: [] };
    }
    await ack(toBoltOptions(answer));
  };
}
