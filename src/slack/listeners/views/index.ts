import type { App } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';

/** Registers every view_submission / view_closed listener (one listener per file in this folder). */
export function registerViews(_app: App, _deps: AppDeps): void {}
