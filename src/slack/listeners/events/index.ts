import type { App } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { createAppHomeOpenedListener } from './app-home-opened.js';
import { createUninstallListener } from './app-uninstalled.js';

export function registerEvents(app: App, deps: AppDeps): void {
  const uninstall = createUninstallListener(deps);
  app.event('app_uninstalled', uninstall);
  app.event('tokens_revoked', uninstall);
  app.event('app_home_opened', createAppHomeOpenedListener(deps));
}
