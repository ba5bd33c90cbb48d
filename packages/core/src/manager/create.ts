import { hashEmbeddingDescriptor, memorySessionDescriptor, memoryVectorDescriptor } from "../builtins.js";
import { validateSettings } from "../config/schema.js";
import { AdapterRegistry, registry as globalRegistry } from "../registry.js";
import type { AdapterDescriptor, AdapterKind } from "../types/adapter.js";
import type { VectorMetric } from "../types/vector.js";
import { type MemoryConfig, parseConfig } from "./config.js";
import { type ManagerOptions, MemoryManager } from "./manager.js";

for (const d of [memorySessionDescriptor, memoryVectorDescriptor, hashEmbeddingDescriptor])
  globalRegistry.register(d);

export interface CreateManagerOptions extends ManagerOptions {
  /** Adapters to use without relying on import side effects (looked up before the global registry). */
  adapters?: AdapterDescriptor[];
  /** Registry to resolve names in (default: the process-wide one). */
  registry?: AdapterRegistry;
  /** Run `setup()` (migrations / index creation) on connect. Default true. */
  setup?: boolean;
}

/**
 * Resolve the adapters a LangSwarm config names, validate their settings, connect, run setup, and
 * return a MemoryManager. Anything created here is closed by `manager.close()`.
 */
export async function createMemoryManager(
  config: MemoryConfig,
  options: CreateManagerOptions = {},
): Promise<MemoryManager> {
  const parsed = parseConfig(config);
  const local = new AdapterRegistry();
  for (const adapter of options.adapters ?? []) local.register(adapter);
  const shared = options.registry ?? globalRegistry;
  const resolve = async <K extends AdapterKind>(kind: K, name: string) =>
    local.get(kind, name) ?? shared.resolve(kind, name);

  const owned: { close(): Promise<void> }[] = [];
  try {
    const sessionDescriptor = await resolve("session", parsed.sessionBackend);
    const sessionSettings = validateSettings(sessionDescriptor.settingsSchema, parsed.sessionSettings, {
      backend: sessionDescriptor.name,
      path: config.backend === "vector" ? "settings.session_backend.settings" : "settings",
    });
    const sessions = await sessionDescriptor.create(sessionSettings);
    owned.push(sessions);
    if (options.setup !== false) await sessions.setup();

    let semantic: {
      vectors: Awaited<ReturnType<typeof createVectors>>;
      embedder: Awaited<ReturnType<typeof createEmbedder>>;
    } | null = null;
    async function createEmbedder() {
      const d = await resolve("embedding", parsed.semantic!.embeddingProvider);
      const settings = validateSettings(d.settingsSchema, parsed.semantic!.embeddingSettings, {
        backend: d.name,
        path: "settings.embedding",
      });
      return d.create(settings, { requestedName: parsed.semantic!.embeddingProvider });
    }
    async function createVectors(dimension: number) {
      const d = await resolve("vector", parsed.semantic!.vectorStore);
      const settings = validateSettings(d.settingsSchema, parsed.semantic!.vectorSettings, {
        backend: d.name,
        path: "settings.vector_store.connection_params",
      });
      const metric = parsed.semantic!.metric as VectorMetric | undefined;
      return d.create(settings, { dimension, ...(metric ? { metric } : {}) });
    }
    if (parsed.semantic) {
      const embedder = await createEmbedder();
      if (embedder.close) owned.push({ close: () => embedder.close!() });
      const vectors = await createVectors(embedder.dimension);
      owned.push(vectors);
      if (options.setup !== false) await vectors.setup();
      semantic = { vectors, embedder };
    }
    return new MemoryManager(sessions, semantic, options, owned);
  } catch (error) {
    for (const part of owned.reverse()) await part.close().catch(() => {});
    throw error;
  }
}
