import { type Filter, parseFilter } from "@langswarm/memory-core";
import { describe, expect, it } from "vitest";
import { filterToVectorSetExpressions, numberLiteral, valueToken } from "../src/index.js";
import { encodeAttributes, MAX_ALTERNATIVES } from "../src/vectorset/filter.js";

const expressions = (filter: Filter) => filterToVectorSetExpressions(parseFilter(filter)!);
const hex = (s: string) => Buffer.from(s).toString("hex");

describe("vectorset: FILTER expressions (no server)", () => {
  it("writes membership tests over typed tokens, and ranges over n_<field>", () => {
    expect(expressions({ color: "red" })).toEqual([`("color:s${hex("red")}" in .t)`]);
    expect(expressions({ color: { $ne: "red" } })).toEqual([`(not ("color:s${hex("red")}" in .t))`]);
    expect(expressions({ n: { $in: [1, true] } })).toEqual([`(("n:n${hex("1")}" in .t) or ("n:b1" in .t))`]);
    expect(expressions({ n: { $in: [] } })).toEqual(["(1 == 0)"]);
    expect(expressions({ tier: { $exists: false } })).toEqual(['(not ("tier:p" in .t))']);
    expect(expressions({ n: { $gte: 10, $lt: 20 } })).toEqual(["(.n_n >= 10) and (.n_n < 20)"]);
  });

  it("splits ranges under $or into alternatives where each range is required", () => {
    expect(expressions({ $or: [{ n: { $gt: 10 } }, { color: "red" }, { tier: "gold" }] })).toEqual([
      `(("color:s${hex("red")}" in .t) or ("tier:s${hex("gold")}" in .t))`,
      "(.n_n > 10)",
    ]);
    expect(expressions({ $and: [{ $or: [{ a: { $gt: 1 } }, { b: { $lt: 2 } }] }, { c: "x" }] })).toEqual([
      `(.n_a > 1) and ("c:s${hex("x")}" in .t)`,
      `(.n_b < 2) and ("c:s${hex("x")}" in .t)`,
    ]);
    const wide = {
      $and: Array.from({ length: 6 }, (_, i) => ({
        $or: [{ [`f${i}`]: { $gt: 0 } }, { [`g${i}`]: { $lt: 0 } }],
      })),
    };
    expect(() => expressions(wide)).toThrow(new RegExp(`more than ${MAX_ALTERNATIVES}`));
  });

  it("hostile values stay inside their quotes: tokens are [a-z0-9]", () => {
    for (const v of ['"', "\\", '") or ("', "x or 1 == 1", ".t", "]", "\u0000x".slice(1)]) {
      const [expr] = expressions({ field: v });
      expect(expr).toBe(`("field:${valueToken(v)}" in .t)`);
      expect(expr!.match(/"/g)).toHaveLength(2);
    }
  });

  it("number literals the expression parser reads back exactly", () => {
    expect(numberLiteral(5)).toBe("5");
    expect(numberLiteral(-2.5)).toBe("-2.5");
    expect(numberLiteral(-0)).toBe("0");
    expect(numberLiteral(1e21)).toBe("1e21");
    expect(numberLiteral(1.5e-7)).toBe("0.00000015");
    expect(numberLiteral(-1e-9)).toBe("-0.000000001");
    for (const x of [1.5e-7, 1e-100, 3.14159e-50, 2.2250738585072014e-230])
      expect(Number(numberLiteral(x))).toBe(x);
    expect(() => numberLiteral(5e-324)).toThrow(/too small/);
  });

  it("attributes: filter fields first, metadata and document after; arrays and nulls", () => {
    const json = encodeAttributes({ b: true, n: -0, s: "x", tags: ["p"], none: null }, "doc");
    expect(JSON.parse(json)).toEqual({
      t: ["b:p", "b:b1", "n:p", `n:n${hex("0")}`, "s:p", `s:s${hex("x")}`, "tags:p"],
      n_n: 0,
      // JSON has no -0: metadata keeps the number, as every JSON store does.
      m: { b: true, n: 0, s: "x", tags: ["p"], none: null },
      d: "doc",
    });
    expect(json.startsWith('{"t":')).toBe(true);
  });
});
