import { buildExport, type ExportOptions } from '../../services/export.js';
import type { ExportRange } from '../../services/export-range.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import type { Actor } from '../actor.js';
import { buildExportDoneMessage, buildExportEmptyMessage, buildExportFailedMessage, exportFileTitle, exportUploadComment } from '../blocks/export.js';
import type { EphemeralMessage } from '../blocks/help.js';
import { MISSING_SCOPE_ERRORS, neededScope, SlackCallError } from '../slack-errors.js';

/**
 * `/peer export`: builds the four CSV files of the range and sends them, in one message, to the
 * admin's DM with the bot. Returns what to tell the admin. A range with nothing in it sends no
 * files; a Slack refusal is logged and told in a sentence. The admin asked for the files, so they
 * come even to someone who turned Peerloop's DMs off.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */
export async function deliverExport(deps: AppDeps, actor: Pick<Actor, 'teamId' | 'userId'>, range: ExportRange, options?: ExportOptions): Promise<EphemeralMessage> {
  const { teamId, userId } = actor;
  const result = await buildExport(serviceDeps(deps), teamId, range, options);
  const log = { component: 'export', teamId, userId, from: range.fromYmd, to: range.toYmd, counts: result.counts };
  if (result.empty) {
    deps.logger.info(log, 'export: nothing in the range, no files sent');
    return buildExportEmptyMessage(range);
  }
  try {
    const { fileIds } = await deps.messenger.uploadFilesToDm(teamId, userId, {
      initialComment: exportUploadComment({ ...range, counts: result.counts }),
      files: result.files.map((f) => ({ filename: f.filename, content: f.content, title: exportFileTitle(f.table, range) })),
    });
    deps.logger.info({ ...log, fileIds, bytes: result.files.reduce((sum, f) => sum + f.content.length, 0) }, 'export sent');
  } catch (error) {
    if (!(error instanceof SlackCallError)) throw error;
    deps.logger.warn({ ...log, err: error, code: error.code }, 'export not sent: Slack refused the upload');
    return buildExportFailedMessage(MISSING_SCOPE_ERRORS.has(error.code) ? { code: error.code, missingScope: neededScope(error, 'files:write') } : { code: error.code });
  }
  return buildExportDoneMessage({ ...range, sessions: result.counts.sessions });
}
