import { type Filter, matchesFilter, parseFilter, type VectorMetadata } from "@langswarm/memory-core";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { filterToSql, usesIndexedField } from "../src/filter-sql.js";

// The SQL translation must agree with core's reference `matchesFilter` on every record and filter,
// including the corners where SQL and JavaScript disagree by default: NULL logic for missing fields,
// true vs 1, "1" vs 1, arrays vs their JSON text, integers vs reals, huge numbers.
const KEYS = ["a", "b", "c-d"] as const;
const STRINGS = ["x", "y", "1", "true", "", '["x"]', "null", 'it\'s "q"', "é", "🧠"];
const NUMBERS = [0, 1, -1, 1.5, 2, -0, 1e20, 2 ** 53 + 2, 0.1 + 0.2, -1e-7];
const BOOLEANS = [true, false];

const scalar = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...BOOLEANS),
);
const metadataValue = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(["x"], [], ["1", "y"]) },
);
const record = fc.dictionary(fc.constantFrom(...KEYS), metadataValue, {
  maxKeys: 3,
}) as fc.Arbitrary<VectorMetadata>;

const numeric = fc.constantFrom(...NUMBERS);
const fieldCondition = fc.oneof(
  scalar,
  scalar.map(($eq) => ({ $eq })),
  scalar.map(($ne) => ({ $ne })),
  fc.array(scalar, { maxLength: 4 }).map(($in) => ({ $in })),
  fc.array(scalar, { maxLength: 4 }).map(($nin) => ({ $nin })),
  numeric.map(($gt) => ({ $gt })),
  numeric.map(($gte) => ({ $gte })),
  numeric.map(($lt) => ({ $lt })),
  fc.record({ $gte: numeric, $lte: numeric }),
  fc.boolean().map(($exists) => ({ $exists })),
);
const { filter } = fc.letrec<{ filter: Filter; leaf: Filter }>((tie) => ({
  leaf: fc.tuple(fc.constantFrom(...KEYS), fieldCondition).map(([k, c]) => ({ [k]: c }) as Filter),
  filter: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("leaf"),
    fc.array(tie("filter"), { minLength: 1, maxLength: 3 }).map(($and) => ({ $and })),
    fc.array(tie("filter"), { minLength: 1, maxLength: 3 }).map(($or) => ({ $or })),
  ),
}));

const db = new Database(":memory:");
db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, metadata BLOB NOT NULL)");
afterAll(() => db.close());

function sqlMatches(records: VectorMetadata[], f: Filter, indexedFields?: ReadonlySet<string>): number[] {
  db.exec("DELETE FROM t");
  const insert = db.prepare("INSERT INTO t (id, metadata) VALUES (?, jsonb(?))");
  for (const [i, r] of records.entries()) insert.run(i, JSON.stringify(r));
  const node = parseFilter(f);
  if (!node) return records.map((_, i) => i);
  const where = filterToSql(node, { indexedFields });
  return db
    .prepare(`SELECT id FROM t WHERE ${where.sql} ORDER BY id`)
    .pluck()
    .all(...where.params) as number[];
}

describe("filter translation to SQL", () => {
  it.each([
    ["bound paths", undefined],
    ["indexed fields (literal paths)", new Set(["a", "c-d"])],
  ])("agrees with the reference semantics on random records and filters: %s", (_, indexed) => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 12 }), filter, (records, f) => {
        const node = parseFilter(f);
        // Compare against the stored form (JSON round trip), which is what any store can keep.
        const stored = records.map((r) => JSON.parse(JSON.stringify(r)) as VectorMetadata);
        const expected = stored.flatMap((r, i) => (matchesFilter(r, node) ? [i] : []));
        expect(sqlMatches(records, f, indexed)).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    [{ a: "1" }, [{ a: "1" }], [{ a: 1 }, { a: true }]],
    [{ a: 1 }, [{ a: 1 }, { a: 1.0 }], [{ a: "1" }, { a: true }]],
    [{ a: true }, [{ a: true }], [{ a: 1 }, { a: "true" }]],
    [{ a: '["x"]' }, [{ a: '["x"]' }], [{ a: ["x"] }]],
    [{ a: { $ne: "x" } }, [{}, { a: null }, { a: ["x"] }, { a: "y" }], [{ a: "x" }]],
    [{ a: { $nin: [1, "x"] } }, [{}, { a: "1" }, { a: true }], [{ a: 1 }, { a: "x" }]],
    [{ a: { $gt: 0 } }, [{ a: 1 }, { a: 1e20 }], [{ a: "5" }, { a: true }, {}, { a: null }]],
    [{ a: { $exists: true } }, [{ a: 0 }, { a: "" }, { a: false }, { a: [] }], [{}, { a: null }]],
    [{ a: { $exists: false } }, [{}, { a: null }], [{ a: 0 }]],
    [{ a: { $in: [] } }, [], [{ a: "x" }, {}]],
    [{ a: { $nin: [] } }, [{ a: "x" }, {}], []],
  ] as [Filter, VectorMetadata[], VectorMetadata[]][])("%j matches exactly what it should", (f, yes, no) => {
    const records = [...yes, ...no];
    expect(sqlMatches(records, f)).toEqual(yes.map((_, i) => i));
  });

  it("reads an indexed field through its expression index (from the index alone when it can)", () => {
    const indexed = new Set(["sessionId"]);
    db.exec(
      `CREATE INDEX IF NOT EXISTS t_by_session ON t ((metadata ->> '$."sessionId"'), json_type(metadata, '$."sessionId"'))`,
    );
    const cases: [Filter, RegExp][] = [
      [{ sessionId: "s1" }, /USING COVERING INDEX t_by_session/],
      [{ sessionId: { $in: ["s1", "s2"] } }, /USING COVERING INDEX t_by_session/],
      [{ $and: [{ kind: "message" }, { sessionId: { $in: ["s1", "s2"] } }] }, /USING INDEX t_by_session/],
    ];
    for (const [f, expected] of cases) {
      const where = filterToSql(parseFilter(f)!, { indexedFields: indexed });
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN SELECT id FROM t WHERE ${where.sql}`)
        .all(...where.params)
        .map((r) => (r as { detail: string }).detail)
        .join("; ");
      expect(plan).toMatch(expected);
      expect(usesIndexedField(parseFilter(f)!, indexed)).toBe(true);
    }
    expect(usesIndexedField(parseFilter({ $or: [{ sessionId: "a" }, { x: 1 }] })!, indexed)).toBe(false);
    expect(usesIndexedField(parseFilter({ sessionId: { $ne: "a" } })!, indexed)).toBe(false);
    expect(usesIndexedField(parseFilter({ sessionId: { $in: ["a", 1] } })!, indexed)).toBe(false);
  });

  it("binds every value and path: the SQL text holds no user data", () => {
    const hostile = `x' OR 1=1; DROP TABLE t; --`;
    const node = parseFilter({ $or: [{ a: hostile }, { "c-d": { $in: [hostile, 3] } }, { b: { $gt: 2 } }] });
    const { sql, params } = filterToSql(node!);
    expect(sql).not.toContain(hostile);
    expect(sql).not.toMatch(/\$\./);
    expect(params).toContain(hostile);
    expect(params).toContain('$."c-d"');
    expect(filterToSql(node!, { indexedFields: new Set(["a"]) }).params).not.toContain('$."a"');
    expect(sqlMatches([{ a: hostile }, { a: "x" }], { a: hostile })).toEqual([0]);
  });
});
