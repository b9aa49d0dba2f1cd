import type { SubcommandName } from '../../command.js';
import { handleCalendar } from './calendar.js';
import { handleOptIn, handleOptOut } from './opt-out.js';
import { handleSettings } from './settings.js';
import { handleHelp } from './help.js';
import { handleAttended } from './attended.js';
import { handleCancel } from './cancel.js';
import { handleEdit } from './edit.js';
import { handleJoin } from './join.js';
import { handleLeave } from './leave.js';
import { handleList } from './list.js';
import { handleSchedule } from './schedule.js';
import { handleLearned } from './learned.js';
import { handleSkills } from './skills.js';
import { handleMatch } from './match.js';
import { handleDigest } from './digest.js';
import { handleExport } from './export.js';
import { handleStats } from './stats.js';
import type { SubcommandHandler } from './subcommand.js';

/** One handler per registered subcommand; the type makes a missing one a compile error. */
export const subcommandHandlers: { [K in SubcommandName]: SubcommandHandler<K> } = {
  help: handleHelp,
  schedule: handleSchedule,
  list: handleList,
  join: handleJoin,
  leave: handleLeave,
  edit: handleEdit,
  cancel: handleCancel,
  attended: handleAttended,
  calendar: handleCalendar,
  skills: handleSkills,
  learned: handleLearned,
  optout: handleOptOut,
  optin: handleOptIn,
  match: handleMatch,
  stats: handleStats,
  settings: handleSettings,
  digest: handleDigest,
  export: handleExport,
};
