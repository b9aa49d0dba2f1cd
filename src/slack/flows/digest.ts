import { renderDigestChart } from '../../charts/digest-chart.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { mayDirectMessage } from '../../services/delivery.js';
import {
  checkDigest,
  computeDigestReport,
  DIGEST_CHART_WEEKS,
  digestChartData,
  digestWeekAt,
  getDigestSnapshot,
  getDigestSnapshotStatus,
  listDigestAdmins,
  listDigestUpcoming,
  planMissedDigest,
  recordDigestChart,
  recordDigestNotInChannel,
  recordDigestPosted,
  requestDigestNow,
  storeDigestSnapshot,
  type DigestNoticePayload,
  type DigestPayload,
} from '../../services/digest.js';
import type { KpiReport } from '../../services/kpi-report.js';
import { resolveWorkspaceZone } from '../../services/members.js';
import { localDateYmd } from '../../services/time.js';
import { getSettings } from '../../services/workspace-settings.js';
import type { Actor } from '../actor.js';
import { buildDigestMessage, buildDigestNotInChannelDm, digestChartTitle, periodLabel, type DigestPreviewAction } from '../blocks/digest.js';
import type { CallMeta } from '../messenger.js';
import { NOT_IN_CHANNEL_ERRORS, SlackCallError } from '../slack-errors.js';
import { sendDirectMessage } from './notices.js';

/**
 * The weekly KPI digest in Slack: the job that posts it (numbers stored first, then the post,
 * then the chart in its thread), the admins' DM when the channel refuses it, `/peer digest`'s
 * private preview with its chart, and the preview's Post now.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

export type DigestRun = { status: 'skipped'; reason: string } | { status: 'not_due'; at: number } | { status: 'done'; result: Record<string, unknown> };

const notInChannel = (error: unknown): error is SlackCallError => error instanceof SlackCallError && error.kind === 'permanent' && NOT_IN_CHANNEL_ERRORS.has(error.code);

/**
 * Renders the chart and uploads it into the thread of the digest (or of its preview). Not paced
 * as a scheduled send: it is the second half of the message just posted (one burst of two, as a
 * DM notice and its calendar file), and holding it back for the channel's one-second gap would
 * leave it for the next tick, a minute later. A chart that cannot be drawn, or that Slack refuses
 * for good, never undoes the digest: it is logged and the digest stands without it. A transient
 * failure propagates, so the job is retried and the re-run uploads the chart only.
 */
async function uploadChart(deps: AppDeps, teamId: string, report: KpiReport, channelId: string, threadTs: string, meta: CallMeta | undefined): Promise<string | undefined> {
  const label = periodLabel(report.period, report.timeZone);
  let png: Buffer;
  try {
    png = await renderDigestChart({ ...digestChartData(serviceDeps(deps), teamId, report), title: digestChartTitle(report) });
  } catch (error) {
    deps.logger.error({ err: error, teamId }, 'digest chart could not be rendered; the digest goes without it');
    return undefined;
  }
  try {
    const file = {
      channelId,
      threadTs,
      filename: `peerloop-digest-${localDateYmd(report.period.from, report.timeZone)}.png`,
      content: png,
      title: `Participation and sessions per week, ${DIGEST_CHART_WEEKS} weeks to ${label}`,
    };
    // The job's attempt (a re-run after a crash finds a chart already in the thread), not its key (not paced).
    const { fileIds } = await deps.messenger.uploadFile(teamId, file, meta?.attempt === undefined ? undefined : { attempt: meta.attempt });
    return fileIds[0] ?? 'uploaded';
  } catch (error) {
    if (error instanceof SlackCallError && error.kind === 'permanent') {
      deps.logger.warn({ teamId, code: error.code }, 'digest chart refused by Slack; the digest stands without it');
      return undefined;
    }
    throw error;
  }
}

/**
 * digest:<team>:<week>: the week's digest, posted once. The numbers are computed once and stored
 * as the snapshot BEFORE the post; a re-run (a retry, a restart, a second process after a lease
 * ran out) posts the stored numbers, or nothing once the snapshot says posted. The post is
 * recorded before the chart is uploaded, and the chart's upload is recorded too, so a crash in
 * between uploads the chart once on the re-run and never posts the digest again.
 */
export async function runDigest(deps: AppDeps, teamId: string, payload: DigestPayload, meta?: CallMeta): Promise<DigestRun> {
  const svc = serviceDeps(deps);
  const fallbackZone = deps.config.defaultTimeZone;
  const check = checkDigest(svc, teamId, payload, fallbackZone);
  if (!check.run) {
    if (check.reason === 'not_due') return { status: 'not_due', at: check.at };
    // After downtime across two due times this week is over; the week in progress takes over.
    if (check.reason === 'too_late') planMissedDigest(svc, teamId, fallbackZone);
    return { status: 'skipped', reason: check.reason };
  }
  const { weekId } = payload;
  const recorded = getDigestSnapshotStatus(svc, teamId, weekId);
  if (recorded?.status === 'posted') {
    const snapshot = getDigestSnapshot(svc, teamId, weekId);
    if (recorded.chartFileId !== null || recorded.messageTs === null || recorded.channelId === null || snapshot === undefined) return { status: 'skipped', reason: 'already_posted' };
    // Posted, but the run stopped before the chart was in the thread: the chart only.
    const chart = await uploadChart(deps, teamId, snapshot.report, recorded.channelId, recorded.messageTs, meta);
    if (chart !== undefined) recordDigestChart(svc, teamId, weekId, chart);
    return { status: 'done', result: { channel: recorded.channelId, ts: recorded.messageTs, chart: chart ?? null, chartOnly: true } };
  }
  const snapshot = getDigestSnapshot(svc, teamId, weekId) ?? storeDigestSnapshot(svc, teamId, weekId, computeDigestReport(svc, teamId, weekId, check.zone), check.channelId);
  const message = buildDigestMessage({ report: snapshot.report, upcoming: listDigestUpcoming(svc, teamId, deps.clock.now()), chartInThread: true });
  let posted: { channel: string; ts: string };
  try {
    posted = await deps.messenger.postMessage(teamId, { channel: check.channelId, ...message, unfurl_links: false, unfurl_media: false }, meta);
  } catch (error) {
    // Transient failures propagate (the job is retried); a permanent one is recorded, the admins
    // are told why, and the job is skipped with a reason Post now may revive (nothing was posted).
    if (!(error instanceof SlackCallError) || error.kind !== 'permanent') throw error;
    const status = notInChannel(error) ? 'not_in_channel' : 'post_failed';
    const notices = recordDigestNotInChannel(svc, teamId, weekId, check.channelId, listDigestAdmins(svc, teamId, deps.config.admins), error.code, status);
    const log = { teamId, weekId, channelId: check.channelId, code: error.code, notices: notices.length };
    if (status === 'not_in_channel') deps.logger.warn(log, 'digest not posted: Peerloop is not in the digest channel');
    else deps.logger.error(log, 'digest not posted: Slack refused it');
    if (notices.length > 0) deps.runDueJobs?.(teamId);
    return { status: 'skipped', reason: status };
  }
  recordDigestPosted(svc, teamId, weekId, posted.channel, posted.ts);
  const chart = await uploadChart(deps, teamId, snapshot.report, posted.channel, posted.ts, meta);
  if (chart !== undefined) recordDigestChart(svc, teamId, weekId, chart);
  return { status: 'done', result: { channel: posted.channel, ts: posted.ts, chart: chart ?? null, ...(payload.requestedBy === undefined ? {} : { requestedBy: payload.requestedBy }) } };
}

/** digest_notice:…: the DM to an admin that the digest channel refused the digest. */
export async function deliverDigestNotice(deps: AppDeps, teamId: string, payload: DigestNoticePayload, meta?: CallMeta): Promise<{ status: 'skipped'; reason: string } | { status: 'done'; channel: string; ts: string }> {
  const svc = serviceDeps(deps);
  const settings = getSettings(svc, teamId);
  // Another channel chosen since (or none): this one's problem no longer matters.
  if (settings.digestChannelId !== payload.channelId) return { status: 'skipped', reason: 'channel_changed' };
  const zone = resolveWorkspaceZone(svc, teamId, deps.config.defaultTimeZone);
  const sent = await sendDirectMessage(deps, teamId, payload.userId, buildDigestNotInChannelDm({ channelId: payload.channelId, day: settings.digestDay, hour: settings.digestHour, zone, error: payload.error }), meta);
  if ('skipped' in sent) return { status: 'skipped', reason: sent.skipped };
  return { status: 'done', channel: sent.channel, ts: sent.ts };
}

/**
 * Whether Peerloop is in a channel (conversations.info), with the channel's name; undefined when
 * Slack could not say just now. A private channel it is not in answers channel_not_found: no.
 */
export async function digestChannelMembership(deps: AppDeps, teamId: string, channelId: string): Promise<{ isMember: boolean; name: string | null } | undefined> {
  try {
    const membership = await deps.messenger.fetchChannelMembership(teamId, channelId);
    return { isMember: membership.isMember, name: membership.name };
  } catch (error) {
    if (notInChannel(error)) return { isMember: false, name: null };
    deps.logger.warn({ err: error, teamId, channelId }, 'could not check whether Peerloop is in the digest channel');
    return undefined;
  }
}

const ADMIN_UNKNOWN_TEXT = "I couldn't check your admin rights with Slack just now. Please run `/peer digest` again in a moment.";
const POST_ADMIN_ONLY_TEXT = 'Only a Slack admin or owner (or someone in PEERLOOP_ADMINS) can post the digest to the channel.';

/** What the preview offers under the digest, for this reader. */
async function previewAction(deps: AppDeps, actor: Actor, weekId: string, zone: string): Promise<DigestPreviewAction> {
  const svc = serviceDeps(deps);
  const settings = getSettings(svc, actor.teamId);
  const recorded = getDigestSnapshotStatus(svc, actor.teamId, weekId);
  if (recorded?.status === 'posted' && recorded.channelId !== null) return { kind: 'posted', channelId: recorded.channelId };
  if (!actor.isAdmin) return { kind: 'info', channelId: settings.digestChannelId, day: settings.digestDay, hour: settings.digestHour, zone };
  if (settings.digestChannelId === null) return { kind: 'no_channel' };
  const membership = await digestChannelMembership(deps, actor.teamId, settings.digestChannelId);
  if (membership?.isMember === false) return { kind: 'invite_first', channelId: settings.digestChannelId };
  return { kind: 'post', channelId: settings.digestChannelId, channelName: membership?.name ?? null, weekId };
}

/**
 * `/peer digest`: last week's digest, privately, as it was posted (its stored snapshot) or as it
 * would be posted now (computed, not stored: a preview changes nothing). It goes to the asker's
 * DM with Peerloop, the chart in its thread, because an ephemeral message cannot carry a file;
 * someone who turned DMs off gets it ephemerally, without the chart. Returns what the slash
 * command answers, or the preview itself when it is to be shown there.
 */
export async function previewDigest(deps: AppDeps, actor: Actor): Promise<{ text: string } | { ephemeral: ReturnType<typeof buildDigestMessage> }> {
  const svc = serviceDeps(deps);
  const now = deps.clock.now();
  const zone = resolveWorkspaceZone(svc, actor.teamId, deps.config.defaultTimeZone);
  const weekId = digestWeekAt(now, zone);
  const report = getDigestSnapshot(svc, actor.teamId, weekId)?.report ?? computeDigestReport(svc, actor.teamId, weekId, zone);
  const action = await previewAction(deps, actor, weekId, zone);
  const upcoming = listDigestUpcoming(svc, actor.teamId, now);
  if (!mayDirectMessage(svc, actor.teamId, actor.userId)) {
    const chartNote = "You've turned off DMs from Peerloop, so the chart (sent as a file in a DM) is left out; `/peer optin` turns DMs back on.";
    return { ephemeral: buildDigestMessage({ report, upcoming, preview: { action, chartNote } }) };
  }
  const message = buildDigestMessage({ report, upcoming, preview: { action } });
  const dm = await sendDirectMessage(deps, actor.teamId, actor.userId, message);
  if ('skipped' in dm) return { ephemeral: message };
  const chart = await uploadChart(deps, actor.teamId, report, dm.channel, dm.ts, undefined);
  return { text: `I sent you a preview of last week's digest (${periodLabel(report.period, zone)}) in our DM${chart === undefined ? '' : ', with its chart in the thread'}.` };
}

/**
 * The preview's Post to #channel now (admins, checked again here: a click can be forged): asks
 * for the week's digest job to run now (services/digest.ts requestDigestNow), so the manual post
 * and the scheduled one are the same job and snapshot and never both go out. Refused for an old
 * preview (another week), without a channel, and when Peerloop is not in it (checked first, so
 * the admin hears it now rather than by DM).
 */
export async function postDigestNow(deps: AppDeps, actor: Actor, weekId: string): Promise<string | { refused: string }> {
  if (!actor.isAdmin) return { refused: actor.member.profileFetchedAt === null ? ADMIN_UNKNOWN_TEXT : POST_ADMIN_ONLY_TEXT };
  const svc = serviceDeps(deps);
  const settings = getSettings(svc, actor.teamId);
  const channelId = settings.digestChannelId;
  if (channelId === null) return { refused: 'No digest channel is set any more. Choose one in `/peer settings` first.' };
  const zone = resolveWorkspaceZone(svc, actor.teamId, deps.config.defaultTimeZone);
  if (weekId !== digestWeekAt(deps.clock.now(), zone)) return { refused: 'This preview is out of date: it is for another week. Run `/peer digest` again for the current one.' };
  const membership = await digestChannelMembership(deps, actor.teamId, channelId);
  if (membership?.isMember === false) return { refused: `Peerloop isn't in <#${channelId}>. Type \`/invite @Peerloop\` there first, then click again.` };
  const outcome = requestDigestNow(svc, actor.teamId, weekId, actor.userId);
  deps.logger.info({ teamId: actor.teamId, userId: actor.userId, weekId, outcome }, 'digest Post now');
  switch (outcome) {
    case 'requested':
      deps.runDueJobs?.(actor.teamId);
      return `Posting last week's digest to <#${channelId}> now, with its chart in the thread.`;
    case 'already_posted':
      return { refused: `Last week's digest is already in <#${getDigestSnapshotStatus(svc, actor.teamId, weekId)?.channelId ?? channelId}>; it is posted once.` };
    case 'in_progress':
      return { refused: `Last week's digest is being posted to <#${channelId}> right now.` };
    case 'failed':
      return { refused: "Last week's digest failed to post earlier, and is not tried again so that nothing goes out twice. Next week's is posted as planned." };
  }
}
