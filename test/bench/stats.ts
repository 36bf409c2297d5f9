// Statistics of benchmark samples: median, quartiles, spread, ratio to a baseline.
//
// Runs on a shared machine are noisy and few (3 in --quick mode), so everything here is
// order statistics, never a mean: one slow run moves a median much less than an average.

/** The values sorted ascending, as a new array. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics (the
 * method R calls type 7 and numpy calls "linear"): for n values, position (n - 1)·q.
 * Throws on an empty list or a q outside [0, 1]: both are bugs in the caller.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} outside [0, 1]`);
  const s = sorted(values);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** The median: the middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface Summary {
  /** Number of samples. */
  n: number;
  median: number;
  /** First and third quartile (type 7), and their difference. */
  q1: number;
  q3: number;
  iqr: number;
  min: number;
  max: number;
  /**
   * The largest distance of any sample from the median, relative to the median:
   * every run lies within median·(1 ± spread). 0 for a single sample.
   */
  spread: number;
}

/** Summarizes a non-empty list of samples. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summary of no values');
  const s = sorted(values);
  const med = quantile(s, 0.5);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  const min = s[0];
  const max = s[s.length - 1];
  return {
    n: s.length,
    median: med,
    q1,
    q3,
    iqr: q3 - q1,
    min,
    max,
    spread: med > 0 ? Math.max(max - med, med - min) / med : 0,
  };
}

/**
 * value / baseline, or null when there is no meaningful ratio (a baseline that is zero,
 * negative or not finite, or a value that is not finite).
 */
export function ratio(value: number, baseline: number): number | null {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline <= 0) return null;
  return value / baseline;
}
