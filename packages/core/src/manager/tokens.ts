/** Counts tokens for budgeting. Plug in a real tokenizer for exact budgets. */
export type TokenCounter = (text: string) => number;

/**
 * ~4 characters per token (OpenAI's rule of thumb for English), rounded up, plus 4 per message for the
 * role framing. Deliberately errs high so budgets are not exceeded.
 */
export const approximateTokens: TokenCounter = (text) => Math.ceil(text.length / 4) + 4;
