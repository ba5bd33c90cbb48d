/**
 * A small evaluator of the RediSearch query subset the store generates (tag lists, numeric ranges,
 * negation, intersection, union), with the semantics RediSearch documents: a tag field matches when
 * any of its comma-separated values equals a listed tag; a numeric range matches a doc whose field
 * parses as a number within the bounds; `-x` is every doc not matched by x. It lets a property test
 * compare the translation with core's reference semantics without a RediSearch server.
 */
export type Doc = Record<string, string>;

export function evaluate(query: string, docs: Doc[]): Set<number> {
  let pos = 0;
  const all = new Set(docs.map((_, i) => i));
  const peek = () => query[pos];
  const expect = (s: string) => {
    if (!query.startsWith(s, pos)) throw new Error(`expected ${JSON.stringify(s)} at ${pos} in ${query}`);
    pos += s.length;
  };
  const name = () => {
    let out = "";
    while (pos < query.length && query[pos] !== ":") {
      if (query[pos] === "\\") pos++;
      out += query[pos++];
    }
    return out;
  };
  const atom = (): Set<number> => {
    expect("@");
    const field = name();
    expect(":");
    if (peek() === "{") {
      pos++;
      const end = query.indexOf("}", pos);
      const tags = query.slice(pos, end).split(" | ");
      pos = end + 1;
      if (tags.some((t) => !/^[a-z0-9]+$/.test(t))) throw new Error(`unescaped tag in ${query}`);
      return new Set(
        [...all].filter((i) => (docs[i]![field] ?? "").split(",").some((v) => tags.includes(v.trim()))),
      );
    }
    expect("[");
    const end = query.indexOf("]", pos);
    const [lo, hi] = query.slice(pos, end).split(" ") as [string, string];
    pos = end + 1;
    const bound = (b: string) => ({
      open: b.startsWith("("),
      value: Number(
        b
          .replace("(", "")
          .replace(/^\+?inf$/, "Infinity")
          .replace(/^-inf$/, "-Infinity"),
      ),
    });
    const l = bound(lo);
    const h = bound(hi);
    return new Set(
      [...all].filter((i) => {
        const raw = docs[i]![field];
        if (raw === undefined) return false;
        const v = Number(raw);
        return (l.open ? v > l.value : v >= l.value) && (h.open ? v < h.value : v <= h.value);
      }),
    );
  };
  const expr = (): Set<number> => {
    if (peek() === "-") {
      pos++;
      const inner = expr();
      return new Set([...all].filter((i) => !inner.has(i)));
    }
    if (peek() === "(") {
      pos++;
      const parts = [expr()];
      let op: "and" | "or" | null = null;
      while (peek() !== ")") {
        if (query.startsWith(" | ", pos)) {
          if (op === "and") throw new Error(`mixed operators in one group: ${query}`);
          op = "or";
          pos += 3;
        } else {
          if (op === "or") throw new Error(`mixed operators in one group: ${query}`);
          op = "and";
          expect(" ");
        }
        parts.push(expr());
      }
      pos++;
      return op === "or"
        ? new Set(parts.flatMap((p) => [...p]))
        : new Set([...parts[0]!].filter((i) => parts.every((p) => p.has(i))));
    }
    return atom();
  };
  const out = expr();
  if (pos !== query.length) throw new Error(`trailing input at ${pos} in ${query}`);
  return out;
}
