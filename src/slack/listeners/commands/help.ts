import { buildHelpMessage, type EphemeralMessage } from '../../blocks/help.js';
import type { SubcommandHandler } from './subcommand.js';

// The same for everyone and every time (it lists the registry), so it is built once.
let help: EphemeralMessage | undefined;

export const handleHelp: SubcommandHandler<'help'> = async ({ ack }) => {
  help ??= buildHelpMessage();
  await ack(help);
};
