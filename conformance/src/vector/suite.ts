import assert from "node:assert/strict";
import {
  type Filter,
  type FilterOperator,
  InMemoryVectorStore,
  matchesFilter,
  parseFilter,
  type VectorMetric,
  type VectorRecord,
  type VectorStore,
} from "@langswarm/memory-core";
import { rejectsWith } from "../assertions.js";
import { loadEmbeddingFixture } from "../fixture.js";
import { defineSuite } from "../harness.js";
import { HOSTILE_IDS_INVALID, HOSTILE_IDS_VALID, HOSTILE_METADATA_KEYS } from "../hostile.js";
import type { TestApi, VectorStoreInitializer, VectorStoreSpec } from "../types.js";

const D = 8;
const unit = (i: number, d = D) => Array.from({ length: d }, (_, j) => (j === i ? 1 : 0));

/** A fixed dataset with every metadata shape the filter tests need (missing fields included). */
function filterDataset(): VectorRecord[] {
  const colors = ["red", "green", "blue", 'it\'s "quoted"', "a|b {c} @d:*"];
  return Array.from({ length: 40 }, (_, i) => {
    const metadata: Record<string, string | number | boolean | null> = {
      n: i,
      color: colors[i % colors.length]!,
      even: i % 2 === 0,
    };
    if (i % 3 === 0) metadata.tier = i % 6 === 0 ? "gold" : "silver";
    if (i % 7 === 0) metadata.score = i / 10;
    if (i % 11 === 0) metadata.maybe = null;
    const vector = Array.from({ length: D }, (_, j) => Math.sin(i * 0.7 + j) + (j === i % D ? 2 : 0));
    return { id: `r${i}`, vector, metadata };
  });
}

/** One or more filters per operator; each compared with the reference semantics on the dataset. */
const FILTER_CASES: { op: FilterOperator; filter: Filter }[] = [
  { op: "$eq", filter: { color: "red" } },
  { op: "$eq", filter: { color: { $eq: 'it\'s "quoted"' } } },
  { op: "$eq", filter: { even: true } },
  { op: "$eq", filter: { n: 7 } },
  { op: "$ne", filter: { tier: { $ne: "gold" } } },
  { op: "$in", filter: { color: { $in: ["green", "a|b {c} @d:*"] } } },
  { op: "$in", filter: { n: { $in: [1, 2, 3, 39] } } },
  { op: "$nin", filter: { tier: { $nin: ["gold", "silver"] } } },
  { op: "$gt", filter: { n: { $gt: 30 } } },
  { op: "$gte", filter: { n: { $gte: 30 } } },
  { op: "$lt", filter: { score: { $lt: 1.5 } } },
  { op: "$lte", filter: { n: { $lte: 4 } } },
  { op: "$exists", filter: { tier: { $exists: true } } },
  { op: "$exists", filter: { maybe: { $exists: false } } },
  { op: "$and", filter: { $and: [{ even: true }, { n: { $gte: 10, $lt: 20 } }] } },
  { op: "$or", filter: { $or: [{ color: "blue" }, { tier: "gold" }] } },
];

export function vectorStoreSuite(init: VectorStoreInitializer, api: TestApi): void {
  defineSuite<VectorStore, VectorStoreSpec>(
    {
      suite: "vector",
      init,
      api,
      make: async (spec) => {
        const store = await init.create(spec);
        try {
          await store.setup();
        } catch (error) {
          await store.close().catch(() => {}); // a store that failed setup must not leak its connection
          throw error;
        }
        return store;
      },
      close: (store) => store.close(),
    },
    { dimension: D, metric: "cosine" },
    (test, recorder) => {
      test("upsert then get round-trips vectors, metadata and documents; upsert replaces", async (store) => {
        assert.equal(store.index.dimension, D);
        await store.upsert([
          {
            id: "a",
            vector: unit(0),
            metadata: { kind: "x", n: 1, ok: true, tags: ["p", "q"] },
            document: "alpha",
          },
          { id: "b", vector: new Float32Array(unit(1)), metadata: {} },
        ]);
        const [a, b] = await store.get(["a", "b"]);
        assert.deepEqual(Array.from(a!.vector), unit(0));
        assert.deepEqual(a!.metadata, { kind: "x", n: 1, ok: true, tags: ["p", "q"] });
        assert.equal(a!.document, "alpha");
        assert.equal(b!.document, null);
        await store.upsert([{ id: "a", vector: unit(2), metadata: { kind: "y" } }]);
        const [a2] = await store.get(["a"]);
        assert.deepEqual(Array.from(a2!.vector), unit(2));
        assert.deepEqual(a2!.metadata, { kind: "y" }, "upsert replaces metadata, not merges");
        assert.equal(await store.count(), 2);
        assert.deepEqual(
          (await store.get(["missing", "b"])).map((r) => r.id),
          ["b"],
          "missing ids are left out",
        );
      });

      test("delete by ids and by filter; an empty filter is refused", async (store) => {
        await store.upsert(filterDataset());
        await store.delete(["r0", "r1", "nope"]);
        assert.equal(await store.count(), 38);
        await store.deleteByFilter({ color: "red" });
        const left = await store.query({ vector: unit(0), topK: 100 });
        assert.ok(left.every((m) => m.metadata.color !== "red"));
        assert.equal(
          left.length,
          38 -
            filterDataset().filter((r) => r.metadata!.color === "red" && !["r0", "r1"].includes(r.id)).length,
        );
        await rejectsWith(store.deleteByFilter({}), "VALIDATION", "empty filter");
        assert.equal(await store.count(), left.length);
      });

      test("wrong dimensions, empty vectors, NaN and Infinity fail with typed errors and store nothing", async (store) => {
        const err = (await rejectsWith(
          store.upsert([{ id: "x", vector: [1, 2, 3] }]),
          "DIMENSION_MISMATCH",
          "short vector",
        )) as Error & {
          expected?: number;
          actual?: number;
        };
        assert.equal(err.expected, D);
        assert.equal(err.actual, 3);
        assert.match(err.message, new RegExp(`${D}`));
        await rejectsWith(store.upsert([{ id: "x", vector: [] }]), "DIMENSION_MISMATCH", "empty vector");
        await rejectsWith(
          store.upsert([{ id: "x", vector: unit(0, D + 1) }]),
          "DIMENSION_MISMATCH",
          "long vector",
        );
        await rejectsWith(
          store.upsert([
            { id: "ok", vector: unit(0) },
            { id: "x", vector: [Number.NaN, ...unit(0).slice(1)] },
          ]),
          "VALIDATION",
          "NaN",
        );
        await rejectsWith(
          store.upsert([{ id: "x", vector: [Number.POSITIVE_INFINITY, ...unit(0).slice(1)] }]),
          "VALIDATION",
          "Infinity",
        );
        await rejectsWith(store.query({ vector: [1, 2] }), "DIMENSION_MISMATCH", "query dimension");
        await rejectsWith(store.query({ vector: [] }), "DIMENSION_MISMATCH", "empty query");
        await rejectsWith(store.query({ vector: unit(0), topK: 0 }), "VALIDATION", "topK 0");
        assert.equal(await store.count(), 0, "the batch with a bad vector stored nothing");
      });

      if (init.reopen) {
        test("setup() refuses to open an existing index with another dimension or metric", async (store) => {
          await store.upsert([{ id: "a", vector: unit(0) }]);
          const wrongDim = await init.reopen!(store, { dimension: D * 2, metric: "cosine" });
          await rejectsWith(wrongDim.setup(), "DIMENSION_MISMATCH", "reopen with another dimension").finally(
            () => wrongDim.close(),
          );
          const other = store.capabilities.metrics.find((m) => m !== "cosine");
          if (other) {
            const wrongMetric = await init.reopen!(store, { dimension: D, metric: other });
            await rejectsWith(wrongMetric.setup(), "CONFIG", "reopen with another metric").finally(() =>
              wrongMetric.close(),
            );
          }
          const same = await init.reopen!(store, { dimension: D, metric: "cosine" });
          await same.setup();
          assert.equal(await same.count(), 1, "the same spec opens the existing data");
          await same.close();
        });
      }

      for (const metric of ["cosine", "euclidean", "dot"] as VectorMetric[]) {
        test(`${metric}: scores follow the common convention and results are best first`, async (defaultStore, ctx) => {
          if (!defaultStore.capabilities.metrics.includes(metric)) {
            // Not offered: asking for it must fail loudly at creation or setup, never use another metric.
            await rejectsWith(
              ctx.fresh({ dimension: D, metric }),
              "CONFIG",
              `an index with the undeclared metric ${metric}`,
            );
            return recorder.note(`no ${metric}`);
          }
          const store = metric === "cosine" ? defaultStore : await ctx.fresh({ dimension: D, metric });
          await store.upsert([
            { id: "same", vector: [3, 0, 0, 0, 0, 0, 0, 0] },
            { id: "near", vector: [3, 1, 0, 0, 0, 0, 0, 0] },
            { id: "orth", vector: [0, 2, 0, 0, 0, 0, 0, 0] },
            { id: "opp", vector: [-1, 0, 0, 0, 0, 0, 0, 0] },
          ]);
          const q = [1, 0, 0, 0, 0, 0, 0, 0];
          const results = await store.query({ vector: q, topK: 4 });
          const score = Object.fromEntries(results.map((r) => [r.id, r.score]));
          const expected =
            metric === "cosine"
              ? { same: 1, near: 3 / Math.sqrt(10), orth: 0, opp: -1 }
              : metric === "dot"
                ? { same: 3, near: 3, orth: 0, opp: -1 }
                : { same: 1 / 3, near: 1 / (1 + Math.sqrt(5)), orth: 1 / (1 + Math.sqrt(5)), opp: 1 / 3 };
          for (const [id, value] of Object.entries(expected)) {
            assert.ok(
              Math.abs(score[id]! - value) < 1e-3,
              `${metric} score of ${id}: ${score[id]} vs ${value}`,
            );
          }
          for (let i = 1; i < results.length; i++)
            assert.ok(results[i - 1]!.score >= results[i]!.score - 1e-6, "best first");
        });
      }

      test("minScore filters before topK is cut", async (store) => {
        await store.upsert(
          Array.from({ length: 20 }, (_, i) => ({ id: `v${i}`, vector: [1, i / 4, 0, 0, 0, 0, 0, 0] })),
        );
        const all = await store.query({ vector: unit(0), topK: 20 });
        const threshold = all[5]!.score - 1e-6;
        const cut = await store.query({ vector: unit(0), topK: 3, minScore: threshold });
        assert.deepEqual(
          cut.map((m) => m.id),
          all.slice(0, 3).map((m) => m.id),
        );
        const wide = await store.query({ vector: unit(0), topK: 20, minScore: threshold });
        assert.deepEqual(
          wide.map((m) => m.id),
          all.slice(0, 6).map((m) => m.id),
          "only matches at or above minScore",
        );
      });

      for (const { op, filter } of FILTER_CASES) {
        test(`filter ${op}: ${JSON.stringify(filter)} matches the reference semantics`, async (store) => {
          if (!store.capabilities.filterOperators.includes(op)) {
            await rejectsWith(
              store.query({ vector: unit(0), filter }),
              "VALIDATION",
              `unsupported ${op} is refused`,
            );
            return recorder.note(`no ${op}`);
          }
          const data = filterDataset();
          await store.upsert(data);
          const node = parseFilter(filter);
          const expected = data
            .filter((r) => matchesFilter(r.metadata!, node))
            .map((r) => r.id)
            .sort();
          const results = await store.query({ vector: unit(3), topK: 100, filter });
          assert.deepEqual(results.map((r) => r.id).sort(), expected);
          const top3 = await store.query({ vector: unit(3), topK: 3, filter });
          assert.equal(
            top3.length,
            Math.min(3, expected.length),
            "a filtered query still returns topK when enough match",
          );
        });
      }

      test("hostile ids, metadata keys and filter values are data or typed errors", async (store) => {
        const ids = HOSTILE_IDS_VALID.filter((id) => id.length <= 64);
        await store.upsert(
          ids.map((id, i) => ({ id, vector: unit(i % D), metadata: { v: id }, document: id })),
        );
        const got = await store.get(ids);
        assert.deepEqual(
          got.map((r) => r.id),
          ids,
        );
        for (const id of ids) {
          const hits = await store.query({ vector: unit(0), topK: 100, filter: { v: id } });
          assert.deepEqual(
            hits.map((h) => h.id),
            [id],
            `filter value ${JSON.stringify(id)}`,
          );
          const inHits = await store.query({
            vector: unit(0),
            topK: 100,
            filter: { v: { $in: [id, "zzz"] } },
          });
          assert.deepEqual(
            inHits.map((h) => h.id),
            [id],
          );
        }
        for (const key of HOSTILE_METADATA_KEYS) {
          await rejectsWith(
            store.upsert([{ id: "k", vector: unit(0), metadata: { [key]: 1 } }]),
            "VALIDATION",
            `metadata key ${key}`,
          );
          await rejectsWith(
            store.query({ vector: unit(0), filter: { [key]: 1 } }),
            "VALIDATION",
            `filter key ${key}`,
          );
        }
        for (const { id, why } of HOSTILE_IDS_INVALID) {
          await rejectsWith(store.upsert([{ id, vector: unit(0) }]), "VALIDATION", `id ${why}`);
        }
        await rejectsWith(
          store.query({ vector: unit(0), filter: { v: { $where: "1" } } as Filter }),
          "VALIDATION",
          "unknown operator",
        );
        await rejectsWith(
          store.query({ vector: unit(0), filter: { n: { $gt: "5" } } as unknown as Filter }),
          "VALIDATION",
          "$gt with a string",
        );
        assert.equal(await store.count(), ids.length);
      });

      test(
        "recall@10 against exact search on real embeddings (all-MiniLM-L6-v2)",
        async (store) => {
          const fixture = loadEmbeddingFixture();
          const exact = new InMemoryVectorStore({ dimension: fixture.dimension, metric: "cosine" });
          const records = fixture.corpus.map((d) => ({
            id: d.id,
            vector: d.vector,
            metadata: { bucket: Number(d.id.slice(1)) % 10 },
          }));
          for (let i = 0; i < records.length; i += 500) {
            await store.upsert(records.slice(i, i + 500));
            await exact.upsert(records.slice(i, i + 500));
          }
          let hits = 0;
          let total = 0;
          let filteredHits = 0;
          let filteredTotal = 0;
          for (const q of fixture.queries) {
            const truth = new Set((await exact.query({ vector: q.vector, topK: 10 })).map((m) => m.id));
            const got = await store.query({ vector: q.vector, topK: 10 });
            hits += got.filter((m) => truth.has(m.id)).length;
            total += truth.size;
            const filter = { bucket: { $in: [1, 2] } };
            const ftruth = new Set(
              (await exact.query({ vector: q.vector, topK: 10, filter })).map((m) => m.id),
            );
            const fgot = await store.query({ vector: q.vector, topK: 10, filter });
            filteredHits += fgot.filter((m) => ftruth.has(m.id)).length;
            filteredTotal += ftruth.size;
          }
          const recall = hits / total;
          const filteredRecall = filteredHits / filteredTotal;
          recorder.note(
            `recall@10 ${recall.toFixed(3)} (filtered 20%: ${filteredRecall.toFixed(3)}) on ${records.length} real vectors`,
          );
          const min = init.minRecall ?? (store.capabilities.exact ? 1 : 0.95);
          assert.ok(recall >= min, `recall@10 ${recall.toFixed(3)} < ${min}`);
          assert.ok(
            filteredRecall >= min - 0.05,
            `filtered recall@10 ${filteredRecall.toFixed(3)} < ${min - 0.05}`,
          );
        },
        { arg: { dimension: 384, metric: "cosine" }, timeout: 600_000 },
      );
    },
  );
}
