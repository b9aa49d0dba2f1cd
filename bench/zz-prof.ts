import { runJobsThroughputInstantOnly } from './jobs-throughput.js';
await runJobsThroughputInstantOnly();
