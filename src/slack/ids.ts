/**
 * action_id / callback_id / block_id constants shared by the Block Kit builders and the
 * listeners, so the two can never drift apart.
 */
export const COMMAND = '/peer';

export const Actions = {} as const;

export const Views = {} as const;

export const Blocks = {} as const;
