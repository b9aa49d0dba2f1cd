import type { types } from '@slack/bolt';
import { buildNoticeModal } from './blocks/notice.js';
import type { ViewJson } from './blocks/types.js';

/**
 * A builder's view as the type Bolt's ack({ response_action: 'update', view }) asks for. The
 * builders emit plain JSON checked against Block Kit's limits in tests (blocks/types.ts); this
 * is the one place that tells Bolt so.
 */
export function toBoltView(view: ViewJson): types.View {
  return view as unknown as types.View;
}

/** A modal that only says something (a refusal, an error), ready for a view ack. */
export function noticeView(text: string, title: string): types.View {
  return toBoltView(buildNoticeModal(text, title));
}

/** A builder's options answer (block_suggestion) as the type Bolt's options ack asks for; see toBoltView. */
export function toBoltOptions(answer: { options: Record<string, unknown>[] }): { options: types.Option[] } {
  return answer as unknown as { options: types.Option[] };
}
