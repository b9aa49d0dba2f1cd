import { BlockKitLimits as L } from '../../src/slack/blocks/limits.js';

/**
 * Checks a Block Kit payload against Slack's documented limits (src/slack/blocks/limits.ts plus
 * a few per-element counts below), the way Slack would refuse it with `invalid_blocks`, but with
 * a path to the offending element: `message.blocks[3].accessory.options[0].text.text is 80
 * characters, over 75`. Every builder's output should pass through this in a test.
 *
 * Accepts a message (`{ text, blocks }`, chat.postMessage/response args) or a view (`{ type:
 * 'modal' | 'home', ... }`, or args with a `view` key such as views.open / views.publish).
 */
export type Surface = 'message' | 'modal' | 'home';

/** Element-specific option counts from the Block Kit element reference. */
const OPTIONS_MAX: Record<string, number> = { overflow: 5, checkboxes: 10, radio_buttons: 10 };
const OPTION_DESCRIPTION_MAX = 75;
const OPTION_GROUP_LABEL_MAX = 75;
const CONFIRM_TITLE_MAX = 100;
const CONFIRM_TEXT_MAX = 300;
const CONFIRM_BUTTON_MAX = 30;
const IMAGE_ALT_TEXT_MAX = 2000;

type Json = Record<string, unknown>;

export class BlockKitLimitError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path} ${problem}`);
    this.name = 'BlockKitLimitError';
  }
}

export function assertBlockKitLimits(surface: Surface, payload: unknown): void {
  // Builders are fed user text with `<!channel>` in it: it must never reach Slack unescaped.
  if (JSON.stringify(payload).includes('<!channel>')) throw new BlockKitLimitError(surface, 'contains an unescaped <!channel> (user text must go through escapeMrkdwn)');
  const checker = new Checker();
  if (surface === 'message') checker.message(asObject(payload, 'message'), 'message');
  else {
    const root = asObject(payload, surface);
    const view = isObject(root.view) ? root.view : root;
    checker.view(surface, view, isObject(root.view) ? `${surface}.view` : surface);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown, path: string): Json {
  if (!isObject(value)) throw new BlockKitLimitError(path, 'is not an object');
  return value;
}

/** Slack counts characters; surrogate pairs (emoji) count as one here, which is the lenient reading. */
function length(text: string): number {
  return Array.from(text).length;
}

class Checker {
  private blockIds = new Map<string, string>();

  message(msg: Json, path: string): void {
    if (msg.text !== undefined) this.string(msg.text, `${path}.text`, L.messageText, { allowEmpty: true });
    if (msg.blocks === undefined) {
      if (typeof msg.text !== 'string' || msg.text === '') throw new BlockKitLimitError(path, 'has neither text nor blocks');
      return;
    }
    this.blocks(msg.blocks, `${path}.blocks`, L.blocksPerMessage);
  }

  view(surface: 'modal' | 'home', view: Json, path: string): void {
    if (view.type !== surface) throw new BlockKitLimitError(`${path}.type`, `is ${JSON.stringify(view.type)}, expected "${surface}"`);
    if (surface === 'modal') {
      this.plainText(view.title, `${path}.title`, L.viewTitle);
      if (view.submit !== undefined) this.plainText(view.submit, `${path}.submit`, L.viewSubmit);
      if (view.close !== undefined) this.plainText(view.close, `${path}.close`, L.viewClose);
      const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
      if (hasInput && view.submit === undefined) throw new BlockKitLimitError(`${path}.submit`, 'is required when the modal has input blocks');
    }
    if (view.private_metadata !== undefined) this.string(view.private_metadata, `${path}.private_metadata`, L.privateMetadata, { allowEmpty: true });
    if (view.callback_id !== undefined) this.string(view.callback_id, `${path}.callback_id`, L.callbackId);
    if (view.external_id !== undefined) this.string(view.external_id, `${path}.external_id`, 255);
    this.blocks(view.blocks, `${path}.blocks`, L.blocksPerView);
  }

  private blocks(value: unknown, path: string, max: number): void {
    if (!Array.isArray(value)) throw new BlockKitLimitError(path, 'is not an array');
    if (value.length > max) throw new BlockKitLimitError(path, `has ${value.length} blocks, over ${max}`);
    value.forEach((block, i) => this.block(asObject(block, `${path}[${i}]`), `${path}[${i}]`));
  }

  private block(block: Json, path: string): void {
    if (block.block_id !== undefined) {
      this.string(block.block_id, `${path}.block_id`, L.blockId);
      const seen = this.blockIds.get(block.block_id as string);
      if (seen !== undefined) throw new BlockKitLimitError(`${path}.block_id`, `"${String(block.block_id)}" repeats ${seen}.block_id; block_ids must be unique`);
      this.blockIds.set(block.block_id as string, path);
    }
    switch (block.type) {
      case 'header':
        this.plainText(block.text, `${path}.text`, L.headerText);
        return;
      case 'section':
        if (block.text === undefined && block.fields === undefined) throw new BlockKitLimitError(path, 'is a section with neither text nor fields');
        if (block.text !== undefined) this.textObject(block.text, `${path}.text`, L.sectionText);
        if (block.fields !== undefined) {
          const fields = this.array(block.fields, `${path}.fields`, L.sectionFields, 'fields');
          fields.forEach((f, i) => this.textObject(f, `${path}.fields[${i}]`, L.fieldText));
        }
        if (block.accessory !== undefined) this.element(asObject(block.accessory, `${path}.accessory`), `${path}.accessory`);
        return;
      case 'context': {
        const elements = this.array(block.elements, `${path}.elements`, L.contextElements, 'elements', 1);
        elements.forEach((e, i) => {
          const el = asObject(e, `${path}.elements[${i}]`);
          if (el.type === 'image') this.image(el, `${path}.elements[${i}]`);
          else this.textObject(el, `${path}.elements[${i}]`, L.sectionText);
        });
        return;
      }
      case 'actions': {
        const elements = this.array(block.elements, `${path}.elements`, L.actionsElements, 'elements', 1);
        this.uniqueActionIds(elements, `${path}.elements`);
        elements.forEach((e, i) => this.element(asObject(e, `${path}.elements[${i}]`), `${path}.elements[${i}]`));
        return;
      }
      case 'input':
        this.plainText(block.label, `${path}.label`, L.inputLabel);
        if (block.hint !== undefined) this.plainText(block.hint, `${path}.hint`, L.inputHint);
        this.element(asObject(block.element, `${path}.element`), `${path}.element`);
        return;
      case 'image':
        this.image(block, path);
        if (block.title !== undefined) this.plainText(block.title, `${path}.title`, 2000);
        return;
      case 'markdown':
        // Standard markdown block (AI apps): up to 12,000 characters across a payload's markdown blocks.
        this.string(block.text, `${path}.text`, 12_000);
        return;
      case 'divider':
      case 'rich_text':
      case 'video':
      case 'file':
        return;
      default:
        throw new BlockKitLimitError(`${path}.type`, `is ${JSON.stringify(block.type)}, not a block type this checker knows`);
    }
  }

  private element(el: Json, path: string): void {
    if (el.action_id !== undefined) this.string(el.action_id, `${path}.action_id`, L.actionId);
    if (el.placeholder !== undefined) this.plainText(el.placeholder, `${path}.placeholder`, L.placeholder);
    if (el.confirm !== undefined) this.confirm(asObject(el.confirm, `${path}.confirm`), `${path}.confirm`);
    switch (el.type) {
      case 'button':
        this.plainText(el.text, `${path}.text`, L.buttonText);
        if (el.value !== undefined) this.string(el.value, `${path}.value`, L.buttonValue);
        if (el.url !== undefined) this.string(el.url, `${path}.url`, L.buttonUrl);
        return;
      case 'plain_text_input':
        if (el.max_length !== undefined) {
          if (typeof el.max_length !== 'number' || !Number.isInteger(el.max_length) || el.max_length < 1 || el.max_length > L.plainTextInputMaxLength) {
            throw new BlockKitLimitError(`${path}.max_length`, `is ${String(el.max_length)}, must be a whole number from 1 to ${L.plainTextInputMaxLength}`);
          }
        }
        if (el.initial_value !== undefined) this.string(el.initial_value, `${path}.initial_value`, (el.max_length as number | undefined) ?? L.plainTextInputMaxLength, { allowEmpty: true });
        return;
      case 'image':
        this.image(el, path);
        return;
      default:
        break;
    }
    if (el.options !== undefined || el.option_groups !== undefined || el.type === 'overflow' || el.type === 'checkboxes' || el.type === 'radio_buttons' || el.type === 'static_select' || el.type === 'multi_static_select') {
      this.options(el, path);
    }
  }

  private options(el: Json, path: string): void {
    const type = String(el.type);
    const max = OPTIONS_MAX[type] ?? L.optionsPerSelect;
    // Checkbox and radio options may use mrkdwn; select and overflow options are plain_text only.
    const mrkdwnAllowed = type === 'checkboxes' || type === 'radio_buttons';
    if (el.option_groups !== undefined) {
      const groups = this.array(el.option_groups, `${path}.option_groups`, L.optionsPerSelect, 'option groups', 1);
      groups.forEach((g, gi) => {
        const group = asObject(g, `${path}.option_groups[${gi}]`);
        this.plainText(group.label, `${path}.option_groups[${gi}].label`, OPTION_GROUP_LABEL_MAX);
        const opts = this.array(group.options, `${path}.option_groups[${gi}].options`, L.optionsPerSelect, 'options', 1);
        opts.forEach((o, oi) => this.option(o, `${path}.option_groups[${gi}].options[${oi}]`, mrkdwnAllowed));
      });
    } else {
      const opts = this.array(el.options, `${path}.options`, max, 'options', 1);
      opts.forEach((o, i) => this.option(o, `${path}.options[${i}]`, mrkdwnAllowed));
      const values = opts.map((o) => (isObject(o) ? o.value : undefined));
      const dup = values.find((v, i) => v !== undefined && values.indexOf(v) !== i);
      if (dup !== undefined) throw new BlockKitLimitError(`${path}.options`, `repeat the value ${JSON.stringify(dup)}`);
    }
    for (const key of ['initial_option', 'initial_options'] as const) {
      if (el[key] === undefined) continue;
      const initial = Array.isArray(el[key]) ? (el[key] as unknown[]) : [el[key]];
      initial.forEach((o, i) => this.option(o, `${path}.${key}${Array.isArray(el[key]) ? `[${i}]` : ''}`, mrkdwnAllowed));
    }
  }

  private option(value: unknown, path: string, mrkdwnAllowed: boolean): void {
    const option = asObject(value, path);
    if (mrkdwnAllowed) this.textObject(option.text, `${path}.text`, L.optionText);
    else this.plainText(option.text, `${path}.text`, L.optionText);
    this.string(option.value, `${path}.value`, L.optionValue);
    if (option.description !== undefined) this.textObject(option.description, `${path}.description`, OPTION_DESCRIPTION_MAX);
  }

  private confirm(confirm: Json, path: string): void {
    this.plainText(confirm.title, `${path}.title`, CONFIRM_TITLE_MAX);
    this.textObject(confirm.text, `${path}.text`, CONFIRM_TEXT_MAX);
    this.plainText(confirm.confirm, `${path}.confirm`, CONFIRM_BUTTON_MAX);
    this.plainText(confirm.deny, `${path}.deny`, CONFIRM_BUTTON_MAX);
  }

  private image(el: Json, path: string): void {
    this.string(el.alt_text, `${path}.alt_text`, IMAGE_ALT_TEXT_MAX);
    if (el.image_url === undefined && el.slack_file === undefined) throw new BlockKitLimitError(path, 'is an image with neither image_url nor slack_file');
    if (el.image_url !== undefined) this.string(el.image_url, `${path}.image_url`, 3000);
  }

  private uniqueActionIds(elements: unknown[], path: string): void {
    const seen = new Map<string, number>();
    elements.forEach((e, i) => {
      if (!isObject(e) || typeof e.action_id !== 'string') return;
      const first = seen.get(e.action_id);
      if (first !== undefined) throw new BlockKitLimitError(`${path}[${i}].action_id`, `"${e.action_id}" repeats ${path}[${first}].action_id; action_ids must be unique in a block`);
      seen.set(e.action_id, i);
    });
  }

  private array(value: unknown, path: string, max: number, what: string, min = 0): unknown[] {
    if (!Array.isArray(value)) throw new BlockKitLimitError(path, 'is not an array');
    if (value.length > max) throw new BlockKitLimitError(path, `has ${value.length} ${what}, over ${max}`);
    if (value.length < min) throw new BlockKitLimitError(path, `has ${value.length} ${what}, at least ${min} needed`);
    return value;
  }

  private plainText(value: unknown, path: string, max: number): void {
    const obj = asObject(value, path);
    if (obj.type !== 'plain_text') throw new BlockKitLimitError(`${path}.type`, `is ${JSON.stringify(obj.type)}, must be "plain_text"`);
    this.string(obj.text, `${path}.text`, max);
  }

  private textObject(value: unknown, path: string, max: number): void {
    const obj = asObject(value, path);
    if (obj.type !== 'plain_text' && obj.type !== 'mrkdwn') throw new BlockKitLimitError(`${path}.type`, `is ${JSON.stringify(obj.type)}, must be "plain_text" or "mrkdwn"`);
    this.string(obj.text, `${path}.text`, max);
  }

  private string(value: unknown, path: string, max: number, options: { allowEmpty?: boolean } = {}): void {
    if (typeof value !== 'string') throw new BlockKitLimitError(path, `is ${value === undefined ? 'missing' : typeof value}, expected a string`);
    if (!options.allowEmpty && value.length === 0) throw new BlockKitLimitError(path, 'is empty');
    const n = length(value);
    if (n > max) throw new BlockKitLimitError(path, `is ${n} characters, over ${max}`);
  }
}
