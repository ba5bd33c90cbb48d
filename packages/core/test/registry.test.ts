import { describe, expect, it } from "vitest";
import {
  AdapterNotFoundError,
  AdapterRegistry,
  ConflictError,
  createMemoryManager,
  InMemorySessionStore,
  MEMORY_SESSION_CAPABILITIES,
  registry,
  type SessionStoreDescriptor,
} from "../src/index.js";

const fake = (name: string, extra: Partial<SessionStoreDescriptor> = {}): SessionStoreDescriptor => ({
  kind: "session",
  name,
  packageName: `@acme/${name}`,
  capabilities: MEMORY_SESSION_CAPABILITIES,
  settingsSchema: { path: { type: "string", description: "where" } },
  create: () => new InMemorySessionStore(),
  ...extra,
});

describe("registry", () => {
  it("resolves names and aliases, and rejects a different adapter under a taken name", async () => {
    const r = new AdapterRegistry();
    const d = fake("acme", { aliases: ["acme_db"] });
    r.register(d);
    r.register(d); // same descriptor twice (package imported twice): fine
    expect(await r.resolve("session", "acme_db")).toBe(d);
    expect(() => r.register(fake("acme", { packageName: "@other/acme" }))).toThrow(ConflictError);
    expect(() => r.register(fake("acme", { packageName: "@other/acme" }))).toThrow(/already registered/);
  });

  it("imports the conventional package for an unknown name, which registers itself", async () => {
    const imported: string[] = [];
    const r = new AdapterRegistry({
      importer: async (specifier) => {
        imported.push(specifier);
        r.register(fake("postgres", { packageName: specifier }));
        return {};
      },
    });
    const d = await r.resolve("session", "postgresql"); // LangSwarm alias -> postgres
    expect(d.name).toBe("postgres");
    expect(imported).toEqual(["@langswarm/session-postgres"]);
  });

  it("names the package to install when the import fails, with a did-you-mean", async () => {
    const r = new AdapterRegistry({
      importer: async (specifier) => {
        throw Object.assign(new Error(`Cannot find package '${specifier}'`), {
          code: "ERR_MODULE_NOT_FOUND",
        });
      },
    });
    r.register(fake("sqlite"));
    const error = await r.resolve("session", "sqlte").catch((e) => e);
    expect(error).toBeInstanceOf(AdapterNotFoundError);
    expect(error.packageName).toBe("@langswarm/session-sqlte");
    expect(error.message).toMatch(/npm install @langswarm\/session-sqlte/);
    expect(error.message).toMatch(/did you mean "sqlite"/);
    const vector = await r.resolve("vector", "chromadb").catch((e) => e);
    expect(vector.packageName).toBe("@langswarm/vector-chroma");
  });

  it("createMemoryManager uses adapters passed explicitly, without the global registry", async () => {
    const d = fake("explicit_only");
    const m = await createMemoryManager(
      { backend: "explicit_only", settings: { path: "x" } },
      { adapters: [d] },
    );
    expect(m.sessions).toBeInstanceOf(InMemorySessionStore);
    expect(registry.get("session", "explicit_only")).toBeUndefined();
    await m.close();
  });

  it("the global registry is shared through globalThis (two copies of core see one registry)", () => {
    const key = Symbol.for("@langswarm/memory-core/registry");
    expect((globalThis as Record<symbol, unknown>)[key]).toBe(registry);
  });
});
