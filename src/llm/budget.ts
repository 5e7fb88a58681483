/**
 * Input budgets for PRMs with a short context. Tokens are estimated from characters (no tokenizer
 * ships with an endpoint), conservatively: LaTeX-heavy math runs near 3 characters a token.
 */
export const CHARS_PER_TOKEN = 3;
/** Chat-template tokens around each message and separator, on top of the text itself. */
const OVERHEAD_TOKENS = 32;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** How many leading steps fit in the budget together with the problem (and a system prompt). */
export function fitSteps(
  problem: string,
  steps: readonly string[],
  maxInputTokens: number,
  system = '',
): number {
  let used = OVERHEAD_TOKENS + estimateTokens(system) + estimateTokens(problem);
  for (let i = 0; i < steps.length; i++) {
    used += estimateTokens(steps[i]!) + 2;
    if (used > maxInputTokens) return i;
  }
  return steps.length;
}
