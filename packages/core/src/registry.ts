import { AdapterNotFoundError, ConflictError, ValidationError } from "./errors.js";
import type {
  AdapterDescriptor,
  AdapterKind,
  EmbeddingProviderDescriptor,
  SessionStoreDescriptor,
  VectorStoreDescriptor,
} from "./types/adapter.js";
import { closestMatch } from "./util/levenshtein.js";

type DescriptorOf<K extends AdapterKind> = K extends "session"
  ? SessionStoreDescriptor
  : K extends "vector"
    ? VectorStoreDescriptor
    : EmbeddingProviderDescriptor;

/** The npm package that conventionally provides `name` for `kind`. */
export function conventionalPackage(kind: AdapterKind, name: string): string {
  const prefix = kind === "embedding" ? "embed" : kind;
  return `@langswarm/${prefix}-${name}`;
}

const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,40}$/;
type Importer = (specifier: string) => Promise<unknown>;

/**
 * Adapters by kind and name. Adapter packages register their descriptor when imported; a config
 * naming an unknown backend makes `resolve` try `import()` of the conventional package once.
 */
export class AdapterRegistry {
  readonly #byKind = new Map<AdapterKind, Map<string, AdapterDescriptor>>();
  readonly #importer: Importer;

  constructor(options: { importer?: Importer } = {}) {
    this.#importer = options.importer ?? ((specifier) => import(specifier));
  }

  /**
   * Register a descriptor under its name and aliases. Registering the very same descriptor again is a
   * no-op (a package imported twice); a different descriptor under a taken name is a ConflictError.
   */
  register(descriptor: AdapterDescriptor): void {
    if (!descriptor || typeof descriptor.create !== "function" || !descriptor.kind || !descriptor.name) {
      throw new ValidationError(
        "not an adapter descriptor: it needs kind, name, settingsSchema and create()",
      );
    }
    const names = [descriptor.name, ...(descriptor.aliases ?? [])];
    for (const name of names) {
      if (!NAME_PATTERN.test(name))
        throw new ValidationError(`adapter name ${JSON.stringify(name)} must match ${NAME_PATTERN}`);
    }
    const table = this.#table(descriptor.kind);
    for (const name of names) {
      const existing = table.get(name);
      if (existing && existing !== descriptor && !sameAdapter(existing, descriptor)) {
        throw new ConflictError(
          `a ${descriptor.kind} adapter named "${name}" is already registered (by ${existing.packageName ?? existing.name}); choose another name`,
        );
      }
    }
    for (const name of names) table.set(name, descriptor);
  }

  unregister(kind: AdapterKind, name: string): boolean {
    const table = this.#table(kind);
    const descriptor = table.get(name);
    if (!descriptor) return false;
    for (const [key, value] of table) if (value === descriptor) table.delete(key);
    return true;
  }

  get<K extends AdapterKind>(kind: K, name: string): DescriptorOf<K> | undefined {
    return this.#table(kind).get(name) as DescriptorOf<K> | undefined;
  }

  /** Canonical names registered for a kind. */
  list(kind: AdapterKind): string[] {
    return [...new Set([...this.#table(kind).values()].map((d) => d.name))].sort();
  }

  /**
   * Find the adapter for a config name: registered (name or alias), else `import()` the conventional
   * package (which registers itself), else an AdapterNotFoundError naming the package to install.
   */
  async resolve<K extends AdapterKind>(kind: K, name: string): Promise<DescriptorOf<K>> {
    const found = this.get(kind, name);
    if (found) return found;
    const canonical = BUILTIN_ALIASES[kind][name] ?? name;
    const aliased = this.get(kind, canonical);
    if (aliased) return aliased;
    const packageName = conventionalPackage(kind, canonical);
    let importError: unknown;
    if (NAME_PATTERN.test(canonical)) {
      try {
        const mod = (await this.#importer(packageName)) as {
          descriptor?: AdapterDescriptor;
          default?: AdapterDescriptor;
        };
        const loaded = this.get(kind, canonical);
        if (loaded) return loaded;
        const exported = mod.descriptor ?? mod.default;
        if (exported && exported.kind === kind) {
          this.register(exported);
          const again = this.get(kind, canonical);
          if (again) return again;
        }
      } catch (error) {
        importError = error;
      }
    }
    const known = this.list(kind);
    const suggestion = closestMatch(name, [...known, ...Object.keys(BUILTIN_ALIASES[kind])]);
    const notInstalled = isModuleNotFound(importError, packageName);
    const detail =
      importError && !notInstalled ? ` (importing it failed: ${(importError as Error).message})` : "";
    throw new AdapterNotFoundError(
      `no ${kind} backend "${name}" is registered${detail}. Install it with \`npm install ${packageName}\` and import it (or pass it in \`adapters\`)` +
        `${suggestion ? `; did you mean "${suggestion}"?` : ""}. Registered: ${known.join(", ") || "none"}.`,
      packageName,
    );
  }

  #table(kind: AdapterKind): Map<string, AdapterDescriptor> {
    let table = this.#byKind.get(kind);
    if (!table) {
      table = new Map();
      this.#byKind.set(kind, table);
    }
    return table;
  }
}

/** LangSwarm's spellings that map to a canonical adapter package name. */
const BUILTIN_ALIASES: Record<AdapterKind, Record<string, string>> = {
  session: {
    in_memory: "memory",
    inmemory: "memory",
    local: "sqlite",
    postgresql: "postgres",
    mongo: "mongodb",
    opensearch: "elasticsearch",
  },
  vector: {
    chromadb: "chroma",
    postgresql: "pgvector",
    postgres: "pgvector",
    local: "sqlite",
    in_memory: "memory",
    inmemory: "memory",
  },
  embedding: { azure_openai: "openai", ollama: "openai" },
};

function sameAdapter(a: AdapterDescriptor, b: AdapterDescriptor): boolean {
  // Two copies of the same package (e.g. ESM and CJS builds both loaded) are the same adapter.
  return (
    a.name === b.name && a.kind === b.kind && a.packageName !== undefined && a.packageName === b.packageName
  );
}

function isModuleNotFound(error: unknown, packageName: string): boolean {
  if (!error || typeof error !== "object") return false;
  const code = (error as { code?: string }).code;
  const message = String((error as Error).message ?? "");
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && message.includes(packageName);
}

/**
 * The process-wide registry adapter packages register into on import. Kept on globalThis so that two
 * copies of core (an ESM and a CJS build, or two versions) still share one registry.
 */
const GLOBAL_KEY = Symbol.for("@langswarm/memory-core/registry");
const globalSlots = globalThis as Record<symbol, unknown>;
if (!(globalSlots[GLOBAL_KEY] instanceof Object)) globalSlots[GLOBAL_KEY] = new AdapterRegistry();
export const registry = globalSlots[GLOBAL_KEY] as AdapterRegistry;
