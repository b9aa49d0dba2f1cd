/**
 * The matcher's public types. They live apart from `../matching.ts` so the algorithm files can
 * share them without importing the entry point (no import cycles in src/).
 */

export type MatchMode = 'skill-swap' | 'pods';

export interface MatchPerson {
  userId: string;
  /** Normalised skill keys this person can teach. */
  teach: readonly string[];
  /** Normalised skill keys this person wants to learn. */
  learn: readonly string[];
  /** Normalised role, for pods; null = "no role given" (its own role group). */
  roleKey: string | null;
  /** IANA zone; an unknown zone is read as UTC rather than failing the whole round. */
  timeZone: string;
  /** Sat out last round: matched before others when there is a choice. */
  satOutLastRound?: boolean;
}

export interface PastGroup {
  userIds: readonly string[];
  /** Epoch ms of that round. */
  at: number;
}

export interface MatchInput {
  mode: MatchMode;
  people: readonly MatchPerson[];
  history: readonly PastGroup[];
  repeatWindowMs: number;
  /** The round's instant (epoch ms): shared hours are those of its UTC day (matching/score.ts), whatever its hour. */
  at: number;
  seed: string;
  /** pods mode: last round's pods (stability). */
  previousPods?: readonly (readonly string[])[];
}

export interface Exchange {
  teacher: string;
  learner: string;
  skillKey: string;
}

export interface MatchedGroup {
  /** 2 or 3 in skill-swap, 3..6 in pods. */
  userIds: string[];
  score: number;
  /** Who can teach whom what, inside the group (empty when none). */
  exchanges: Exchange[];
  /** pods: the shared role; skill-swap: null. */
  roleKey: string | null;
  /** Minutes of working time (09:00-18:00 local) all members share on the round's day (matching/score.ts). */
  sharedMinutes: number;
  /**
   * Skill-swap trios only: the person who joined an existing pair as the odd one out (so a
   * reader, or a test, can tell the pair the optimum chose from the trio rule that followed).
   */
  joinedAsThird?: string;
}

export type UnmatchedReason = 'repeat_window' | 'no_partner' | 'role_too_small';

export interface Unmatched {
  userId: string;
  reason: UnmatchedReason;
  /** One plain sentence for that person. */
  text: string;
}

export interface MatchResult {
  groups: MatchedGroup[];
  unmatched: Unmatched[];
}

export interface RankedPartner {
  userId: string;
  score: number;
  exchanges: Exchange[];
  sharedMinutes: number;
}
