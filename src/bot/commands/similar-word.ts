/** Levenshtein distance between two strings (insertions, deletions and substitutions cost 1). */
export function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = row;
  }
  return prev[y.length];
}

/** Atlantis `IsSimilarWord`: one or two edits away, but not the same word. */
export function isSimilarWord(given: string, suggestion: string): boolean {
  // The distance is at least the difference in length: a 64 KiB first word is never compared.
  if (Math.abs([...given].length - [...suggestion].length) >= 3) return false;
  const d = levenshtein(given, suggestion);
  return d > 0 && d < 3;
}
