/**
 * What the builders return: plain Block Kit JSON (test/support/block-kit.ts checks it against
 * Slack's limits). The SDK's block and view unions are stricter than the JSON Slack accepts, so
 * naming them here would mean a cast at every call site; the messenger (the one place that
 * sends) and toBoltView (the one place that acks a view) convert once instead.
 */
export type BlockJson = Record<string, unknown>;

/** A message: the notification text and its blocks. */
export interface MessageJson {
  text: string;
  blocks: BlockJson[];
}

/** What the messenger sends: text, and blocks when there are any. */
export interface MessageContent {
  text: string;
  blocks?: BlockJson[];
}

/** A modal or Home tab view. */
export type ViewJson = Record<string, unknown>;
