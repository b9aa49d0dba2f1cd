import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, SlackEventMiddlewareArgs, SlackOptionsMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';

/**
 * Each payload kind has one entry point (listeners/index.ts routes to it), which finds its
 * handler here by action_id, callback_id or event type: a Map lookup, then at most a few
 * patterns. Bolt's own per-listener matching costs garbage on every request (see index.ts).
 */

// Handlers are written against the narrow Bolt type of their payload (a button, a select...).
// Method syntax keeps the parameter bivariant so they can sit in one table; the id they are
// filed under is what guarantees the payload's shape.
type Handler<A> = { handle(args: A): Promise<void> }['handle'];

export type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
export type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;
export type EventArgs = SlackEventMiddlewareArgs & AllMiddlewareArgs;
export type OptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;

export interface Route<A> {
  id: string | RegExp;
  handler: Handler<A>;
}

export interface RoutingTable<A> {
  find(id: string): Handler<A> | undefined;
}

export function createRoutingTable<A>(routes: readonly Route<A>[]): RoutingTable<A> {
  const exact = new Map<string, Handler<A>>();
  const patterns: { pattern: RegExp; handler: Handler<A> }[] = [];
  for (const { id, handler } of routes) {
    if (typeof id === 'string') {
      if (exact.has(id)) throw new Error(`two listeners for ${id}`);
      exact.set(id, handler);
    } else {
      patterns.push({ pattern: id, handler });
    }
  }
  return {
    find: (id) => exact.get(id) ?? patterns.find((p) => p.pattern.test(id))?.handler,
  };
}
