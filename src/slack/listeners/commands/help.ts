import { buildHelpMessage } from '../../blocks/help.js';
import type { SubcommandHandler } from './subcommand.js';

export const handleHelp: SubcommandHandler<'help'> = async ({ ack }) => {
  await ack(buildHelpMessage());
};
