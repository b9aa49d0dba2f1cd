import type { AppDeps } from '../../../deps.js';
import { SkillsInputs } from '../../ids.js';
import { createRoutingTable, type OptionsArgs, type Route } from '../dispatch.js';
import { createRoleOptionsListener, createSkillOptionsListener } from './skills.js';

/** Every block_suggestion listener (type-ahead selects), filed by the select's action_id. */
export function optionsRoutes(deps: AppDeps): Route<OptionsArgs>[] {
  const skills = createSkillOptionsListener(deps);
  return [
    { id: SkillsInputs.teach, handler: skills },
    { id: SkillsInputs.learn, handler: skills },
    { id: SkillsInputs.role, handler: createRoleOptionsListener(deps) },
  ];
}

/** block_suggestion, dispatched by action_id. An unknown select gets no options rather than an error. */
export function createOptionsListener(deps: AppDeps): (args: OptionsArgs) => Promise<void> {
  const routes = createRoutingTable(optionsRoutes(deps));
  return async (args) => {
    const handler = routes.find(args.body.action_id);
    if (handler !== undefined) return handler(args);
    deps.logger.warn({ actionId: args.body.action_id }, 'no listener for these options');
    await args.ack({ options: [] });
  };
}
