import { describe, expect, it } from "vitest";
import { decodeId, encodeId, indexKeys, membershipOf, sessionKeys } from "../src/keys.js";

// A small deterministic generator of awkward strings: ASCII, braces, BMP (incl. U+E000..U+FFFF),
// surrogate pairs (emoji), so the order property is checked where UTF-8 and UTF-16 orders differ.
function* strings(count: number): Generator<string> {
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const alphabet = [
    "a",
    "b",
    "{",
    "}",
    "*",
    "\u00e9",
    "\u3042",
    "\uff01",
    "\ue000",
    "\ud83e\udde0",
    "\ud83d\ude80",
    "\u0000".replace("\u0000", "z"),
    ":",
    "|",
  ];
  for (let i = 0; i < count; i++) {
    let s = "";
    const len = next() % 6;
    for (let j = 0; j < len; j++) s += alphabet[next() % alphabet.length];
    yield s;
  }
}

describe("key encoding", () => {
  it("round-trips ids and never produces a brace, a glob character or a separator", () => {
    for (const id of strings(2000)) {
      const encoded = encodeId(id);
      expect(encoded).toMatch(/^([0-9a-f]{2})*$/);
      expect(decodeId(encoded)).toBe(id);
    }
  });

  it("byte order of encoded ids equals JavaScript string order (so score ties list by sessionId)", () => {
    const ids = [...new Set(strings(1500))];
    const byJs = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const byBytes = [...ids].sort((a, b) =>
      Buffer.compare(Buffer.from(encodeId(a), "latin1"), Buffer.from(encodeId(b), "latin1")),
    );
    expect(byBytes).toEqual(byJs);
    // The pair where UTF-8 would disagree with UTF-16: an emoji sorts before U+FF01 in JavaScript.
    expect(encodeId("\ud83e\udde0") < encodeId("\uff01")).toBe(true);
  });

  it("gives every key of a session the same hash tag, whatever the id contains", () => {
    for (const id of ["}{", "{tag}", "a}b{c", "../../etc/passwd", "x".repeat(512)]) {
      const keys = sessionKeys("p:", id);
      const tags = [keys.session, keys.messages, keys.dedupe, keys.summaries].map((k) =>
        k.slice(k.indexOf("{") + 1, k.indexOf("}")),
      );
      expect(new Set(tags).size).toBe(1);
      expect(tags[0]).toBe(encodeId(id));
    }
  });

  it("puts a session in one index per filter combination it can answer", () => {
    expect(indexKeys("p:", membershipOf(null, null, "active"))).toHaveLength(2);
    expect(indexKeys("p:", membershipOf("u", null, "active"))).toHaveLength(4);
    expect(indexKeys("p:", membershipOf("u", "a", "active"))).toHaveLength(8);
    expect(new Set(indexKeys("p:", membershipOf("u", "a", "active"))).size).toBe(8);
  });
});
