import type { StoredMessage, Summary } from "../types/session.js";

/**
 * Turns the previous summary plus newer messages into a new summary. Any async function works; in
 * real use it is an LLM call.
 */
export type Summarizer = (input: {
  previous: Summary | null;
  messages: StoredMessage[];
  signal?: AbortSignal;
}) => Promise<string>;

/**
 * The default summarizer is extractive, not abstractive: it keeps the previous summary's lines and adds
 * the first sentence of each newer user/assistant message, dropping the oldest lines past `maxChars`.
 * It calls no model; it exists so summaries work offline. Plug an LLM summarizer in for real use.
 */
export function extractiveSummarizer(options: { maxChars?: number } = {}): Summarizer {
  const maxChars = options.maxChars ?? 2000;
  return async ({ previous, messages }) => {
    const lines = previous ? previous.content.split("\n").filter(Boolean) : [];
    for (const m of messages) {
      if (m.role !== "user" && m.role !== "assistant") continue;
      const sentence = firstSentence(m.content);
      if (sentence) lines.push(`${m.role}: ${sentence}`);
    }
    while (lines.join("\n").length > maxChars && lines.length > 1) lines.shift();
    return lines.join("\n").slice(0, maxChars);
  };
}

function firstSentence(text: string): string {
  const trimmed = text.replace(/\s+/g, " ").trim();
  const end = trimmed.search(/[.!?](\s|$)/);
  const sentence = end === -1 ? trimmed : trimmed.slice(0, end + 1);
  return sentence.length > 200 ? `${sentence.slice(0, 197)}...` : sentence;
}
