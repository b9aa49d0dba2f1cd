import { planPollJobs } from './polls.js';
import type { JobPlanner } from './types.js';
import { planWeeklyJobs } from './weekly.js';

/** Run at the start of every tick, in order. D2 adds the weekly-DM planner. */
export const jobPlanners: JobPlanner[] = [planPollJobs, planWeeklyJobs];
