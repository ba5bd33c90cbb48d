/** One request's share of an embed() call: `start` is the position of its first text in the call. */
export interface Batch {
  start: number;
  texts: string[];
  tokens: number;
}

/**
 * Cut texts into requests in order, each within `maxInputs` texts AND `maxTokens` estimated tokens
 * (the API enforces both). Every single text already fits in `maxTokens` (checked by the caller).
 */
export function planBatches(
  texts: readonly string[],
  tokens: readonly number[],
  maxInputs: number,
  maxTokens: number,
): Batch[] {
  const batches: Batch[] = [];
  let current: Batch | undefined;
  for (let i = 0; i < texts.length; i++) {
    const t = tokens[i]!;
    if (!current || current.texts.length >= maxInputs || current.tokens + t > maxTokens) {
      current = { start: i, texts: [], tokens: 0 };
      batches.push(current);
    }
    current.texts.push(texts[i]!);
    current.tokens += t;
  }
  return batches;
}
