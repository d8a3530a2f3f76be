// Small statistics helpers for interleaved runs.

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentileOf(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * Runs `measure` for every target, round after round (A B C A B C …), so drift on a shared machine
 * hits all targets alike; returns every target's samples in target order.
 */
export async function interleave<T, R>(
  targets: T[],
  rounds: number,
  measure: (target: T, round: number) => Promise<R>,
): Promise<R[][]> {
  const samples: R[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) samples[i]!.push(await measure(target, round));
  }
  return samples;
}

export function medianOf<R>(samples: R[], pick: (r: R) => number): number {
  return median(samples.map(pick));
}

export const fmt = {
  rps: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  ms: (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a'),
  ratio: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a'),
};
