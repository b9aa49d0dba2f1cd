import { planPollJobs } from './polls.js';
import { planSessionEndJobs } from './session-end.js';
import type { JobPlanner } from './types.js';
import { planWeeklyJobs } from './weekly.js';

/** Run at the start of every tick, in order: they create the jobs the tick then claims. */
export const jobPlanners: JobPlanner[] = [planPollJobs, planSessionEndJobs, planWeeklyJobs];
