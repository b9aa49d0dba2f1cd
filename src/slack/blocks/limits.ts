/**
 * Block Kit limits from Slack's reference (docs.slack.dev/reference/block-kit). Builders cut
 * text to these, and test/slack/block-kit-limits.test.ts checks every builder against them.
 */
export const BlockKitLimits = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  messageText: 4000,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  optionText: 75,
  optionValue: 150,
  optionsPerSelect: 100,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInputMaxLength: 3000,
} as const;
