import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';

/** The card's "Add to calendar" is a link button; Slack still sends the click, which only needs an ack. */
export async function handleCalendarLinkClick({ ack }: SlackActionMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
  await ack();
}
