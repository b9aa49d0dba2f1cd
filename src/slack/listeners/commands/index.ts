import type { App } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { COMMAND } from '../../ids.js';
import { createPeerCommandListener } from './peer.js';

export function registerCommands(app: App, deps: AppDeps): void {
  app.command(COMMAND, createPeerCommandListener(deps));
}
