import type { EmbeddingProviderDescriptor } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";
import { createOpenAIEmbeddings } from "./provider.js";
import { settingsSchema } from "./settings.js";

/** Ollama's OpenAI-compatible endpoint on its default port. */
export const OLLAMA_BASE_URL = "http://localhost:11434/v1";

/** `embedding.provider: "openai"` (also LangSwarm's "azure_openai" and "ollama"). */
export const descriptor: EmbeddingProviderDescriptor = {
  kind: "embedding",
  name: BACKEND,
  aliases: ["azure_openai", "ollama"],
  packageName: "@langswarm/embed-openai",
  description:
    "OpenAI embeddings, also Azure OpenAI and any OpenAI-compatible server (Ollama, vLLM, LM Studio) via base_url.",
  settingsSchema,
  create: (settings, context) =>
    createOpenAIEmbeddings(
      // LangSwarm's "ollama" provider name means a local Ollama server unless base_url says otherwise.
      context?.requestedName === "ollama" && settings.base_url === undefined
        ? { ...settings, base_url: OLLAMA_BASE_URL }
        : settings,
    ),
};
