import { describe, expect, it } from "vitest";
import { matchesFilter, parseFilter, ValidationError } from "../src/index.js";

describe("filter DSL", () => {
  it("normalises shorthand and several operators on one field", () => {
    expect(parseFilter({ role: "user", seq: { $gte: 1, $lt: 5 } })).toEqual({
      type: "and",
      children: [
        { type: "compare", field: "role", op: "$eq", value: "user" },
        { type: "compare", field: "seq", op: "$gte", value: 1 },
        { type: "compare", field: "seq", op: "$lt", value: 5 },
      ],
    });
    expect(parseFilter({})).toBeNull();
  });

  it("refuses syntax in field names, unknown operators, unsupported operators and bad values", () => {
    const bad: [unknown, RegExp][] = [
      [{ "a.b": 1 }, /field name/],
      [{ $where: "1" }, /unknown logical operator/],
      [{ a: { $regex: "x" } }, /unknown operator "\$regex"/],
      [{ a: { $gt: "1" } }, /finite number/],
      [{ a: { $in: "x" } }, /expected an array/],
      [{ $or: [] }, /non-empty array/],
      [{ a: { $eq: Number.NaN } }, /expected a string|finite/],
      [{ a: ["x"] }, /expected a string, number, boolean or an operator object/],
    ];
    for (const [filter, message] of bad) {
      expect(() => parseFilter(filter), JSON.stringify(filter)).toThrow(ValidationError);
      expect(() => parseFilter(filter)).toThrow(message);
    }
    expect(() => parseFilter({ a: { $gt: 1 } }, { supported: ["$eq"] })).toThrow(/\$gt is not supported/);
  });

  it("reference semantics: $ne/$nin match missing fields, ranges only numbers, $exists ignores null", () => {
    const m = { a: "x", n: 5, s: "5", z: null };
    const ok = (f: object) => matchesFilter(m, parseFilter(f));
    expect(ok({ missing: { $ne: "x" } })).toBe(true);
    expect(ok({ missing: { $nin: ["x"] } })).toBe(true);
    expect(ok({ s: { $gt: 1 } })).toBe(false);
    expect(ok({ n: { $gt: 1 } })).toBe(true);
    expect(ok({ n: "5" })).toBe(false);
    expect(ok({ z: { $exists: true } })).toBe(false);
    expect(ok({ $or: [{ a: "y" }, { n: { $in: [4, 5] } }] })).toBe(true);
  });
});
