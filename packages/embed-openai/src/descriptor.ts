import type { EmbeddingProviderDescriptor } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";
import { createOpenAIEmbeddings } from "./provider.js";
import { settingsSchema } from "./settings.js";

/** `embedding.provider: "openai"` (also LangSwarm's "azure_openai" and "ollama"). */
export const descriptor: EmbeddingProviderDescriptor = {
  kind: "embedding",
  name: BACKEND,
  aliases: ["azure_openai", "ollama"],
  packageName: "@langswarm/embed-openai",
  description:
    "OpenAI embeddings, also Azure OpenAI and any OpenAI-compatible server (Ollama, vLLM, LM Studio) via base_url.",
  settingsSchema,
  create: (settings) => createOpenAIEmbeddings(settings),
};
