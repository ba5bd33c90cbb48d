import { matchesFilter, parseFilter, type VectorRecord } from "@langswarm/memory-core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QdrantVectorStore } from "../src/index.js";
import { EdgeBridge, edgePython } from "./edge-bridge.js";
import { filter, metadata } from "./generators.js";
import { uniqueCollection } from "./helpers.js";

/**
 * Differential test against Qdrant's own filter engine (qdrant-edge behind test/edge/bridge.py):
 * generated records and generated filters; whatever Qdrant returns must be exactly what core's
 * reference `matchesFilter` selects. This is what proves the translation on Qdrant's code rather than
 * on the fake's reading of Qdrant's docs.
 */
const edge = edgePython();
if (!edge.python) console.warn(`[vector-qdrant] Qdrant-engine differential test skipped: ${edge.reason}`);
const suite = edge.python ? describe : describe.skip;

suite(`filters on Qdrant's engine (qdrant-edge)${edge.python ? "" : ` (skipped: ${edge.reason})`}`, () => {
  const bridge = new EdgeBridge();
  let store: QdrantVectorStore;
  let records: VectorRecord[];
  beforeAll(async () => {
    await bridge.start(edge.python!);
    store = new QdrantVectorStore({
      url: bridge.url,
      collection_name: uniqueCollection("diff"),
      dimension: 2,
      // b is indexed (keyword), so conditions on it go through Qdrant's payload index; a and c do not.
      filterable_fields: { b: "keyword" },
    });
    await store.setup();
    const metas = fc.sample(metadata, { numRuns: 300, seed: 42 });
    records = metas.map((m, i) => ({ id: `r${i}`, vector: [1, i / 300], metadata: m }));
    await store.upsert(records);
  }, 120_000);
  afterAll(async () => {
    await store?.drop().catch(() => {});
    await bridge.stop();
  });

  it("returns exactly the records the reference semantics select, for 400 generated filters", async () => {
    const filters = fc.sample(filter, { numRuns: 400, seed: 7 });
    let nonTrivial = 0;
    for (const f of filters) {
      const node = parseFilter(f);
      const expected = records
        .filter((r) => matchesFilter(r.metadata!, node))
        .map((r) => r.id)
        .sort();
      if (expected.length > 0 && expected.length < records.length) nonTrivial++;
      const got = (await store.query({ vector: [1, 0], topK: 1000, filter: f })).map((m) => m.id).sort();
      expect(got, JSON.stringify(f)).toEqual(expected);
    }
    // The generated filters really split the data (not all-or-nothing).
    expect(nonTrivial).toBeGreaterThan(200);
  });

  it("deleteByFilter removes exactly the selected records", async () => {
    const f = { $or: [{ a: { $nin: ["x", 7] } }, { b: { $exists: false } }] };
    const node = parseFilter(f);
    const keep = records.filter((r) => !matchesFilter(r.metadata!, node)).map((r) => r.id);
    await store.deleteByFilter(f);
    expect(await store.count()).toBe(keep.length);
    expect((await store.get(records.map((r) => r.id))).map((r) => r.id)).toEqual(keep);
  });
});
