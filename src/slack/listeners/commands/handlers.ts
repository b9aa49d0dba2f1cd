import type { SubcommandName } from '../../command.js';
import { handleHelp } from './help.js';
import type { SubcommandHandler } from './subcommand.js';

/** One handler per registered subcommand; the type makes a missing one a compile error. */
export const subcommandHandlers: { [K in SubcommandName]: SubcommandHandler<K> } = {
  help: handleHelp,
};
