/**
 * The best total weight of any matching on `n` vertices, by trying them all (small n only): the
 * reference the matcher's tests compare against. `weight(i, j)` is undefined for a pair that
 * may not be matched.
 */
export function bruteForceMatchingWeight(n: number, weight: (i: number, j: number) => number | undefined): number {
  const used = new Array<boolean>(n).fill(false);
  const best = (from: number): number => {
    let i = from;
    while (i < n && used[i]) i += 1;
    if (i >= n) return 0;
    used[i] = true;
    let top = best(i + 1); // i stays unmatched
    for (let j = i + 1; j < n; j += 1) {
      const x = weight(i, j);
      if (used[j] || x === undefined) continue;
      used[j] = true;
      top = Math.max(top, x + best(i + 1));
      used[j] = false;
    }
    used[i] = false;
    return top;
  };
  return best(0);
}
