import type { z } from 'zod';

/**
 * A view's private_metadata comes back from Slack as text we wrote, but it travels through the
 * client, so it is read like any payload: JSON, then the zod schema. Undefined when either fails.
 */
export function parsePrivateMetadata<S extends z.ZodType>(schema: S, raw: string): z.output<S> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
