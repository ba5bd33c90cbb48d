#!/usr/bin/env node
import path from "node:path";
/**
 * langswarm-conformance: run the shared suites against an adapter module with node:test, no test
 * runner to configure.
 *
 *   npx @langswarm/memory-conformance ./my-adapter.js
 *
 * The module exports `descriptor` (or a default export) — the same object it registers — and may
 * export `testSettings(): Record<string, unknown> | Promise<...>` giving settings for one fresh,
 * isolated store (called once per test; default `{}`), and `destroy(store)` to drop its data.
 */
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { type AdapterDescriptor, validateSettings } from "@langswarm/memory-core";
import { embeddingSuite } from "./embedding.js";
import { sessionStoreSuite } from "./session/suite.js";
import type { TestApi } from "./types.js";
import { vectorStoreSuite } from "./vector/suite.js";

interface AdapterModule {
  descriptor?: AdapterDescriptor;
  default?: AdapterDescriptor;
  testSettings?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  destroy?: (store: unknown) => Promise<void>;
}

const nodeTestApi: TestApi = {
  describe: (name, fn) => void describe(name, fn),
  it: Object.assign(
    (name: string, fn: () => unknown, timeout?: number) =>
      void it(name, { timeout: timeout ?? 60_000 }, async () => void (await fn())),
    {
      skip: (name: string) => void it.skip(name),
    },
  ),
  beforeAll: (fn, timeout) => void before(async () => void (await fn()), { timeout: timeout ?? 120_000 }),
  afterAll: (fn, timeout) => void after(async () => void (await fn()), { timeout: timeout ?? 120_000 }),
};

async function main(): Promise<void> {
  const [target] = process.argv.slice(2);
  if (!target || target === "--help" || target === "-h") {
    console.log(
      "usage: langswarm-conformance <adapter-module.js>\n\nRuns the session, vector or embedding suite (by the descriptor's kind) with node:test.",
    );
    process.exitCode = target ? 0 : 2;
    return;
  }
  const mod = (await import(pathToFileURL(path.resolve(target)).href)) as AdapterModule;
  const descriptor = mod.descriptor ?? mod.default;
  if (!descriptor || typeof descriptor.create !== "function" || !descriptor.kind) {
    console.error(
      `${target} must export \`descriptor\` (or a default export): { kind, name, settingsSchema, create }`,
    );
    process.exitCode = 2;
    return;
  }
  const settings = async () =>
    validateSettings(descriptor.settingsSchema, (await mod.testSettings?.()) ?? {}, {
      backend: descriptor.name,
    });
  const destroy = mod.destroy;
  const name = `${descriptor.kind}-${descriptor.name}`;
  const targetInfo = { kind: "embedded" as const, detail: path.basename(target) };
  switch (descriptor.kind) {
    case "session":
      sessionStoreSuite(
        {
          name,
          target: targetInfo,
          create: async () => descriptor.create(await settings()),
          ...(destroy ? { destroy } : {}),
        },
        nodeTestApi,
      );
      break;
    case "vector":
      vectorStoreSuite(
        {
          name,
          target: targetInfo,
          create: async (spec) => descriptor.create({ ...(await settings()) }, spec),
          ...(destroy ? { destroy } : {}),
        },
        nodeTestApi,
      );
      break;
    case "embedding":
      embeddingSuite(
        {
          name,
          target: targetInfo,
          create: async () => descriptor.create(await settings()),
          ...(destroy ? { destroy } : {}),
        },
        nodeTestApi,
      );
      break;
  }
}

await main();
