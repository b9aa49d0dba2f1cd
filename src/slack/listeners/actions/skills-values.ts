import { z } from 'zod';

/** A member_skills row id, as the skills buttons carry it; anything else is refused before any lookup. */
export const SkillRowValue = z
  .string()
  .regex(/^\d{1,12}$/)
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n) && n > 0);

export const INVALID_SKILL_BUTTON_TEXT = "That button didn't come from Peerloop, so nothing changed.";
