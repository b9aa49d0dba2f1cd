import type { App } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';

/** Registers every block_actions / shortcut listener (one listener per file in this folder). */
export function registerActions(_app: App, _deps: AppDeps): void {}
