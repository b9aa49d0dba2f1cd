import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { COMMAND, SCHEDULE_SHORTCUT } from '../ids.js';
import { createActionListener } from './actions/index.js';
import { createScheduleShortcutListener } from './actions/schedule-shortcut.js';
import { createPeerCommandListener } from './commands/peer.js';
import type { ActionArgs, EventArgs, OptionsArgs, ViewArgs } from './dispatch.js';
import { createOptionsListener } from './options/index.js';
import { createEventListener } from './events/index.js';
import { createViewListener } from './views/index.js';

/**
 * Where Bolt hands every payload to Peerloop: the last global middleware, which passes each kind
 * to its listener (and those, through dispatch.ts, to the one for its id).
 *
 * Peerloop registers no Bolt listeners (app.command, app.action...): Bolt runs the matcher chain
 * of every registered listener on every request, and with one per payload kind that was about
 * 20 KB more garbage per request than a single listener, enough to show in peak memory under
 * load (bench `ack`). Anything not routed here goes on to Bolt, which reports it unhandled.
 */
export function createPayloadRouter(deps: AppDeps): Middleware<AnyMiddlewareArgs> {
  const onCommand = createPeerCommandListener(deps);
  const onShortcut = createScheduleShortcutListener(deps);
  const onAction = createActionListener(deps);
  const onView = createViewListener(deps);
  const onEvent = createEventListener(deps);
  const onOptions = createOptionsListener(deps);
  return async (args) => {
    if ('command' in args) {
      if (args.command.command === COMMAND) return onCommand(args);
    } else if ('action' in args) {
      if (args.body.type === 'block_actions') return onAction(args as ActionArgs);
    } else if ('shortcut' in args) {
      if (args.shortcut.callback_id === SCHEDULE_SHORTCUT) return onShortcut(args);
    } else if ('view' in args) {
      if (args.body.type === 'view_submission') return onView(args as ViewArgs);
    } else if ('event' in args) {
      return onEvent(args as EventArgs);
    } else if ('options' in args) {
      // Type-ahead selects (external_select): Slack waits for the options in the ack.
      if (args.body.type === 'block_suggestion') return onOptions(args as OptionsArgs);
    }
    await args.next();
  };
}
