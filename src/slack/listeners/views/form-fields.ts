import type { ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';

/**
 * Reading a modal whose blocks each hold one input with the same action_id (settings, matching
 * setup): every block's value as text, then one zod object keyed by block id, so each problem
 * comes back on the block it belongs to.
 */

type StateValues = ViewSubmitAction['view']['state']['values'];

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
 * Each block's single input, whatever its element type, as the string it holds: a typed value, a
 * picked option, a picked conversation (conversations_select) or a picked date (datepicker).
 */
function fieldValue(values: StateValues, block: string, inputId: string): string | undefined {
  const state = values[block]?.[inputId] as
    | { value?: unknown; selected_option?: { value?: unknown } | null; selected_conversation?: unknown; selected_date?: unknown }
    | undefined;
  if (state === undefined) return undefined;
  const raw = state.selected_option?.value ?? state.selected_conversation ?? state.selected_date ?? state.value;
  return typeof raw === 'string' ? raw : undefined;
}

/** Parses the form with `schema`; errors are keyed by block id (a problem without a path goes on `fallbackBlock`). */
export function readFormFields<S extends z.ZodObject>(
  values: StateValues,
  schema: S,
  inputId: string,
  fallbackBlock: string,
): { ok: true; data: z.output<S> } | { ok: false; errors: Record<string, string> } {
  const blocks = Object.keys(schema.shape);
  const parsed = schema.safeParse(Object.fromEntries(blocks.map((b) => [b, fieldValue(values, b, inputId)])));
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? fallbackBlock)] ??= issue.message;
  return { ok: false, errors };
}
