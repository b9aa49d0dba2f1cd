/**
 * Seeded, input-order-free tie-breaking. Each person gets a rank from a hash of (seed, userId),
 * so the same seed gives the same result whatever order the caller lists people in, and a new
 * round's seed reshuffles ties. No Math.random anywhere in the matcher.
 */

/** cyrb53: a fast 53-bit string hash with good mixing (public domain). */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Orders ids by their seeded hash, with the id itself as the (never needed in practice) final tie-break. */
export function seededOrder(ids: readonly string[], seed: string): string[] {
  const keyed = ids.map((id) => ({ id, key: hash53(`${seed}\u0000${id}`) }));
  keyed.sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((k) => k.id);
}
