import { formatComparison, runComparison, slashCommand, type BenchContext, type ComparisonResult } from './lib/compare.js';

/**
 * Issue 2, "Speed": signed `/peer help` against Peerloop and a bare Bolt app that only acks,
 * 2,500 requests each at 10 concurrent in alternating rounds. Bars: p99 within 1.5x of the bare
 * app's, peak RSS within 1.3x.
 */
export async function runAckLatency(context: BenchContext): Promise<ComparisonResult> {
  const result = await runComparison({
    context,
    scenario: 'ack latency: signed `/peer help`, Peerloop vs a bare Bolt app that only acks',
    requestsFor: slashCommand('help'),
    bars: [
      { metric: 'p99', limit: 1.5 },
      { metric: 'peak RSS', limit: 1.3 },
    ],
  });
  console.log(formatComparison(result));
  return result;
}
