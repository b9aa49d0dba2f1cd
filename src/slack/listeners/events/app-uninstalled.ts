import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { deleteWorkspaceData } from '../../../services/workspaces.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';

/** Uninstalling Peerloop (or revoking its token) deletes everything the workspace stored. */
export function createUninstallListener(deps: AppDeps) {
  return async ({ body }: SlackEventMiddlewareArgs<'app_uninstalled' | 'tokens_revoked'> & AllMiddlewareArgs) => {
    if (body.event.type === 'tokens_revoked' && (body.event.tokens.bot ?? []).length === 0) return;
    const deleted = deleteWorkspaceData(serviceDeps(deps), body.team_id);
    deps.logger.info({ teamId: body.team_id, event: body.event.type, deleted }, 'workspace data deleted');
  };
}
