import { HOSTILE_IDS_VALID } from "@langswarm/memory-conformance";
import { type Filter, parseFilter } from "@langswarm/memory-core";
import { describe, expect, it } from "vitest";
import { filterToSql, Params } from "../src/index.js";

const translate = (filter: Filter) => {
  const params = new Params(["<query vector>"]);
  const sql = filterToSql(parseFilter(filter)!, params);
  return { sql, values: params.values.slice(1) };
};

describe("filter translation", () => {
  it("binds every field name and value: the SQL text holds only placeholders and fixed syntax", () => {
    for (const hostile of HOSTILE_IDS_VALID) {
      const { sql, values } = translate({
        $or: [
          { field: hostile },
          { other: { $in: [hostile, 1] } },
          { n: { $gt: 3 } },
          { tag: { $exists: true } },
        ],
      });
      expect(sql).not.toContain(hostile.length > 2 ? hostile : "\u0000never");
      expect(sql).toMatch(/^[\w\s()@<>=$:,'[\]-]+$/);
      expect(
        values.some((v) => typeof v === "string" && v.includes(JSON.stringify(hostile).slice(1, -1))),
      ).toBe(true);
    }
  });

  it("equality is JSONB containment; equalities under one $and share one containment object", () => {
    expect(translate({ color: "red" })).toEqual({
      sql: "metadata @> $2::jsonb",
      values: ['{"color":"red"}'],
    });
    const merged = translate({ kind: "message", sessionId: "s1", seq: { $gt: 3 } });
    expect(merged.sql).toBe(
      "(metadata @> $2::jsonb AND (jsonb_typeof(metadata -> $3::text) = 'number' AND (metadata -> $3::text) > $4::jsonb))",
    );
    expect(merged.values).toEqual(['{"kind":"message","sessionId":"s1"}', "seq", "3"]);
    // Two equalities on one field cannot share an object (and together they match nothing).
    const twice = translate({ $and: [{ a: 1 }, { a: 2 }] });
    expect(twice.values).toEqual(['{"a":1}', '{"a":2}']);
  });

  it("a field named __proto__ stays an ordinary key", () => {
    // (An object literal's __proto__ would set the prototype: JSON.parse makes it an own key.)
    const own = JSON.parse('{"__proto__": "x"}') as Filter;
    expect(translate({ $and: [own, { b: 1 }] }).values).toEqual(['{"__proto__":"x","b":1}']);
  });

  it("empty $in matches nothing and empty $nin everything", () => {
    expect(translate({ a: { $in: [] } }).sql).toBe("FALSE");
    expect(translate({ a: { $nin: [] } }).sql).toBe("TRUE");
  });
});
