/**
 * Judge metrics. Ratios are in [0, 1]; a ratio over an empty set is null, never 0, so a report
 * never claims "0 % accurate" on samples it did not have.
 */

export interface LabelPrediction {
  /** Index of the earliest wrong step, −1 when the solution has none. */
  label: number;
  /** The judge's first error; null when it gave none (a miss, kept in the denominator). */
  prediction: number | null;
}

export interface ProcessBenchScore {
  /** Accuracy on samples that contain an error (label ≥ 0): the exact step must be found. */
  acc_erroneous: number | null;
  /** Accuracy on samples without an error (label = −1). */
  acc_correct: number | null;
  /** Harmonic mean of the two accuracies, as ProcessBench reports it. */
  f1: number | null;
  n: number;
}

function share(hits: number, total: number): number | null {
  return total === 0 ? null : hits / total;
}

export function harmonicMean(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  return a + b === 0 ? 0 : (2 * a * b) / (a + b);
}

export function processBenchF1(pairs: readonly LabelPrediction[]): ProcessBenchScore {
  let erroneous = 0;
  let erroneousHits = 0;
  let correct = 0;
  let correctHits = 0;
  for (const { label, prediction } of pairs) {
    if (label === -1) {
      correct += 1;
      if (prediction === -1) correctHits += 1;
    } else {
      erroneous += 1;
      if (prediction === label) erroneousHits += 1;
    }
  }
  const accErroneous = share(erroneousHits, erroneous);
  const accCorrect = share(correctHits, correct);
  return {
    acc_erroneous: accErroneous,
    acc_correct: accCorrect,
    f1: harmonicMean(accErroneous, accCorrect),
    n: pairs.length,
  };
}

export interface PrecisionScore {
  precision: number | null;
  /** How many items the judge called positive. */
  predictedPositive: number;
  truePositive: number;
}

/** Precision of a judge's positive calls, e.g. Self-PRM's "this solution is correct". */
export function precision(items: readonly { predicted: boolean; actual: boolean }[]): PrecisionScore {
  const predictedPositive = items.filter((item) => item.predicted).length;
  const truePositive = items.filter((item) => item.predicted && item.actual).length;
  return { precision: share(truePositive, predictedPositive), predictedPositive, truePositive };
}

export interface KappaScore {
  kappa: number | null;
  /** Observed agreement. */
  agreement: number | null;
  n: number;
}

/**
 * Cohen's κ between two raters over the same items. When both raters use a single category for
 * everything, chance agreement is 1 and κ is undefined: reported as null with the raw agreement.
 */
export function cohensKappa<T>(pairs: readonly (readonly [T, T])[]): KappaScore {
  const n = pairs.length;
  if (n === 0) return { kappa: null, agreement: null, n };
  const countsA = new Map<T, number>();
  const countsB = new Map<T, number>();
  let agree = 0;
  for (const [a, b] of pairs) {
    if (a === b) agree += 1;
    countsA.set(a, (countsA.get(a) ?? 0) + 1);
    countsB.set(b, (countsB.get(b) ?? 0) + 1);
  }
  const observed = agree / n;
  let expected = 0;
  for (const [category, countA] of countsA) expected += (countA / n) * ((countsB.get(category) ?? 0) / n);
  const kappa = expected === 1 ? null : (observed - expected) / (1 - expected);
  return { kappa, agreement: observed, n };
}

/**
 * Fleiss' κ: several raters, each item rated by the same number of them (at least two). Observed
 * agreement is the mean share of agreeing rater pairs per item; chance agreement comes from the
 * pooled category shares. Undefined (null) when chance agreement is 1, as for Cohen's κ.
 */
export function fleissKappa<T>(items: readonly (readonly T[])[]): KappaScore {
  const n = items.length;
  if (n === 0) return { kappa: null, agreement: null, n };
  const raters = items[0]!.length;
  if (raters < 2 || items.some((item) => item.length !== raters))
    throw new RangeError("Fleiss' κ needs the same number (≥ 2) of ratings on every item");
  const pooled = new Map<T, number>();
  let agreementSum = 0;
  for (const item of items) {
    const counts = new Map<T, number>();
    for (const rating of item) counts.set(rating, (counts.get(rating) ?? 0) + 1);
    let pairs = 0;
    for (const [category, count] of counts) {
      pairs += count * (count - 1);
      pooled.set(category, (pooled.get(category) ?? 0) + count);
    }
    agreementSum += pairs / (raters * (raters - 1));
  }
  const observed = agreementSum / n;
  let expected = 0;
  for (const count of pooled.values()) expected += (count / (n * raters)) ** 2;
  const kappa = expected === 1 ? null : (observed - expected) / (1 - expected);
  return { kappa, agreement: observed, n };
}

/**
 * A score judge's first error: the first step scored below τ (DESIGN.md), −1 if none. A score equal
 * to τ is not below it, so not an error; unscored steps are skipped. τ has no default: take it from
 * `judgeThreshold` (judgements.ts), so the run's τ is never forgotten.
 */
export function firstErrorFromScores(scores: readonly (number | null)[], threshold: number): number {
  return scores.findIndex((score) => score !== null && score < threshold);
}
