import type { ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { readAnyInput, type SingleKind } from '../../blocks/input-state.js';

/**
 * Reading a modal whose blocks each hold one input with the same action_id (settings, matching
 * setup): every block's value as text (checked for its element's shape), then one zod object
 * keyed by block id, so each problem comes back on the block it belongs to.
 */

type StateValues = ViewSubmitAction['view']['state']['values'];

/** What a block's element may be when the caller does not say: typed text or a select. */
const DEFAULT_KINDS: readonly SingleKind[] = ['text', 'option'];

/** A whole number typed or picked, within [min, max]; one message for every way it can be wrong. */
export const IntField = (min: number, max: number, message: string) =>
  z
    .string({ error: message })
    .trim()
    .regex(/^\d{1,4}$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);

/** A whole number within [min, max], or null when the (optional) field was left empty. */
export const OptionalIntField = (min: number, max: number, message: string) =>
  z
    .string({ error: message })
    .trim()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text === '') return null;
      const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
      if (!(n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return n;
    });

/**
 * Parses the form with `schema`; errors are keyed by block id (a problem without a path goes on
 * `fallbackBlock`). Each block's input is first checked for its element type's shape
 * (input-state.ts): one that has the wrong shape is refused on its block ("could not be read"),
 * never read as empty.
 */
export function readFormFields<S extends z.ZodObject>(
  values: StateValues,
  schema: S,
  inputId: string,
  fallbackBlock: string,
  /** Blocks whose element is another kind (a channel picker, a date picker). */
  kinds: Readonly<Record<string, readonly SingleKind[]>> = {},
): { ok: true; data: z.output<S> } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const raw: Record<string, string | undefined> = {};
  for (const block of Object.keys(schema.shape)) {
    const read = readAnyInput(values[block]?.[inputId], kinds[block] ?? DEFAULT_KINDS);
    if (read.ok) raw[block] = read.value;
    else errors[block] = read.message;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, data: parsed.data };
  if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? fallbackBlock)] ??= issue.message;
  return { ok: false, errors };
}
