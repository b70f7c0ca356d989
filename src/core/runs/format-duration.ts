/** A duration as people write it (ATLANTAS_PLAN_TTL=24h → "24h", 90 minutes → "90m"): the largest unit that divides it. Pure. */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
