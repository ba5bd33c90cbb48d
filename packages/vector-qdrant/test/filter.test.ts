import {
  type Filter,
  matchesFilter,
  parseFilter,
  type VectorMetadata,
  type vectorRules,
} from "@langswarm/memory-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodePayload, filterToQdrant } from "../src/index.js";
import { matchFilter } from "./fake-qdrant.js";
import { filter, metadata } from "./generators.js";

/**
 * The translation against the reference semantics, on generated data: a record is stored with the
 * store's payload layout, the filter is translated to Qdrant JSON, and Qdrant's filter semantics (as
 * the fake implements them) must give the same verdict as core's `matchesFilter` every time.
 */
function qdrantVerdict(meta: VectorMetadata, f: Filter): boolean {
  const record: vectorRules.CheckedRecord = {
    id: "r",
    vector: new Float32Array([1]),
    metadata: meta,
    document: null,
  };
  const payload = JSON.parse(JSON.stringify(encodePayload(record, "cosine")));
  // Through JSON, as on the wire: what the server sees.
  const translated = JSON.parse(JSON.stringify(filterToQdrant(parseFilter(f))));
  return matchFilter(translated, { id: "r", vector: [1], payload });
}

describe("filter translation", () => {
  it("agrees with core's matchesFilter on generated records and filters", () => {
    fc.assert(
      fc.property(metadata, filter, (meta, f) => {
        expect(qdrantVerdict(meta, f)).toBe(matchesFilter(meta, parseFilter(f)));
      }),
      { numRuns: 3000 },
    );
  });

  it("never sends a float inside match (Qdrant's match takes strings, integers and booleans only)", () => {
    fc.assert(
      fc.property(filter, (f) => {
        const json = JSON.stringify(filterToQdrant(parseFilter(f)));
        for (const m of json.matchAll(/"match":(\{[^}]*\})/g)) {
          const match = JSON.parse(m[1]!) as { value?: unknown; any?: unknown[] };
          for (const v of match.any ?? [match.value]) expect(typeof v === "number").toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("the cases that differ between Qdrant's defaults and the DSL", () => {
    const cases: [VectorMetadata, Filter, boolean][] = [
      // $ne/$nin match records without the field (Qdrant's match.except would not)
      [{}, { a: { $ne: "x" } }, true],
      [{}, { a: { $nin: ["x"] } }, true],
      [{ a: null }, { a: { $nin: ["x"] } }, true],
      // an array never equals a scalar (Qdrant matches any element of an array)
      [{ a: ["x"] }, { a: "x" }, false],
      [{ a: ["x"] }, { a: { $in: ["x"] } }, false],
      [{ a: ["x"] }, { a: { $ne: "x" } }, true],
      // typed comparisons
      [{ a: 7 }, { a: "7" }, false],
      [{ a: "7" }, { a: 7 }, false],
      [{ a: true }, { a: 1 }, false],
      [{ a: 1 }, { a: true }, false],
      [{ a: "7" }, { a: { $gt: 1 } }, false],
      [{ a: true }, { a: { $gte: 0 } }, false],
      [{ a: 2.5 }, { a: 2.5 }, true],
      [{ a: 2 ** 60 }, { a: 2 ** 60 }, true],
      // $exists: present and not null; an empty array is present
      [{ a: null }, { a: { $exists: true } }, false],
      [{ a: [] }, { a: { $exists: true } }, true],
      [{ a: "" }, { a: { $exists: true } }, true],
      [{}, { a: { $exists: false } }, true],
      // $in [] matches nothing, $nin [] everything
      [{ a: "x" }, { a: { $in: [] } }, false],
      [{}, { a: { $nin: [] } }, true],
    ];
    for (const [meta, f, expected] of cases) {
      expect(matchesFilter(meta, parseFilter(f)), `reference ${JSON.stringify([meta, f])}`).toBe(expected);
      expect(qdrantVerdict(meta, f), `qdrant ${JSON.stringify([meta, f])}`).toBe(expected);
    }
  });
});
