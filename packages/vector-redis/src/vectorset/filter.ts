import { type FilterNode, ValidationError, type VectorMetadata } from "@langswarm/memory-core";
import { BACKEND } from "../errors.js";
import { isPresent, isScalar, PRESENT, valueToken } from "../tokens.js";

/**
 * Core's filter DSL as Vector Set FILTER expressions, with core's exact semantics.
 *
 * What the expression language does (modules/vector-sets/expr.c, Redis 8.0):
 * - a selector (`.field`) that is missing from an element's attributes makes the WHOLE expression
 *   false, even under `or` / `not`;
 * - string literals are not unescaped (`"a\"b"` compares as the 4 bytes a\"b), while JSON attribute
 *   strings are; booleans become 1/0 and strings are coerced to numbers in comparisons.
 *
 * So the store writes, per element, attributes shaped for filtering (see `encodeAttributes`):
 *   "t": ["<field>:<token>", "<field>:p", ...]   typed equality tokens + presence marks (always there)
 *   "n_<field>": <number>                          only for numeric values (range operators)
 * and the translation is:
 *   $eq / $ne       "<field>:<token>" in .t   /  not (...)      (missing field: $ne is true, as in core)
 *   $in / $nin      (... in .t or ... in .t)  /  not (...)
 *   $exists         "<field>:p" in .t         /  not (...)
 *   $gt $gte $lt $lte   .n_<field> > <number>   (only numbers have n_<field>, so strings never match)
 * Tokens hold only [a-z0-9] and field names only [A-Za-z0-9_-], so no value can leave its quotes.
 *
 * A range on a field an element lacks aborts the whole expression, which is exact when the range is
 * a required conjunct but not under $or. Filters are therefore split into alternatives (a disjunctive
 * form over the range conditions only): each alternative is one expression where every range is
 * required, the store runs one VSIM per alternative and merges by score.
 */

export const MAX_ALTERNATIVES = 32;
/** The expression parser reads at most 255 characters per number literal. */
const MAX_NUMBER_LITERAL = 250;

export const ATTR_TOKENS = "t";
export const ATTR_METADATA = "m";
export const ATTR_DOCUMENT = "d";
export const numericKey = (field: string) => `n_${field}`;

/** The attributes JSON of one element: filter fields first (the server's parser stops at the first hit). */
export function encodeAttributes(metadata: VectorMetadata, document: string | null): string {
  const tokens: string[] = [];
  const numbers: Record<string, number> = {};
  for (const [field, value] of Object.entries(metadata)) {
    if (!isPresent(value)) continue;
    tokens.push(`${field}:${PRESENT}`);
    if (isScalar(value)) tokens.push(`${field}:${valueToken(value)}`);
    if (typeof value === "number") numbers[numericKey(field)] = Object.is(value, -0) ? 0 : value;
  }
  return JSON.stringify({
    [ATTR_TOKENS]: tokens,
    ...numbers,
    [ATTR_METADATA]: metadata,
    [ATTR_DOCUMENT]: document,
  });
}

export function decodeAttributes(json: string | null): { metadata: VectorMetadata; document: string | null } {
  if (!json) return { metadata: {}, document: null };
  const parsed = JSON.parse(json) as { m?: VectorMetadata; d?: string | null };
  return { metadata: parsed[ATTR_METADATA] ?? {}, document: parsed[ATTR_DOCUMENT] ?? null };
}

/**
 * The FILTER expressions whose union is the filter: one string for filters without ranges under
 * $or. Throws ValidationError when the split would need more than MAX_ALTERNATIVES queries.
 */
export function filterToExpressions(node: FilterNode): string[] {
  const alternatives = expand(node);
  return alternatives.map((parts) => (parts.length === 1 ? parts[0]! : parts.join(" and ")));
}

/** Each alternative is a conjunction of expression parts. */
type Alternatives = string[][];

function expand(node: FilterNode): Alternatives {
  if (!hasRange(node)) return [[plain(node)]];
  switch (node.type) {
    case "compare":
      return [[plain(node)]];
    case "and": {
      let acc: Alternatives = [[]];
      for (const child of node.children) {
        const next: Alternatives = [];
        for (const left of acc) for (const right of expand(child)) next.push([...left, ...right]);
        acc = limit(next);
      }
      return acc;
    }
    case "or": {
      const safe = node.children.filter((c) => !hasRange(c));
      const out: Alternatives = safe.length > 0 ? [[plain({ type: "or", children: safe })]] : [];
      for (const child of node.children) if (hasRange(child)) out.push(...expand(child));
      return limit(out);
    }
    default:
      return [[plain(node)]];
  }
}

function limit(alternatives: Alternatives): Alternatives {
  if (alternatives.length > MAX_ALTERNATIVES) {
    throw new ValidationError(
      `filter: range conditions ($gt/$gte/$lt/$lte) under $or expand to more than ${MAX_ALTERNATIVES} Vector Set queries; simplify the filter`,
      { backend: BACKEND },
    );
  }
  return alternatives;
}

function hasRange(node: FilterNode): boolean {
  if (node.type === "and" || node.type === "or") return node.children.some(hasRange);
  return node.type === "compare" && node.op !== "$eq" && node.op !== "$ne";
}

/** One expression; ranges inside are only correct where the caller made them required. */
function plain(node: FilterNode): string {
  switch (node.type) {
    case "and":
    case "or":
      if (node.children.length === 1) return plain(node.children[0]!);
      return `(${node.children.map(plain).join(node.type === "and" ? " and " : " or ")})`;
    case "exists": {
      const test = member(node.field, PRESENT);
      return node.exists ? test : `(not ${test})`;
    }
    case "set": {
      const tests = node.values.map((v) => member(node.field, valueToken(v)));
      // An empty $in matches nothing and an empty $nin everything: `1 == 0` / `1 == 1` say so.
      const any =
        tests.length === 0 ? "(1 == 0)" : tests.length === 1 ? tests[0]! : `(${tests.join(" or ")})`;
      return node.op === "$in" ? any : `(not ${any})`;
    }
    case "compare": {
      if (node.op === "$eq") return member(node.field, valueToken(node.value));
      if (node.op === "$ne") return `(not ${member(node.field, valueToken(node.value))})`;
      const op = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" }[node.op];
      return `(.${numericKey(node.field)} ${op} ${numberLiteral(node.value as number)})`;
    }
  }
}

function member(field: string, token: string): string {
  return `("${field}:${token}" in .${ATTR_TOKENS})`;
}

/**
 * A number the expression parser reads back exactly. It accepts digits, `.`, `e` and a leading `-`,
 * but no exponent sign: `1e+21` is written `1e21`, and `1.5e-7` in full (`0.00000015`), which is the
 * same decimal, so strtod() gives the same double.
 */
export function numberLiteral(value: number): string {
  const textual = Object.is(value, -0) ? "0" : String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-])(\d+)$/.exec(textual);
  if (!match) return textual;
  const [, sign, int, frac = "", expSign, exp] = match;
  if (expSign === "+") return textual.replace("e+", "e");
  const digits = int! + frac;
  const literal = `${sign}0.${"0".repeat(Number(exp) - int!.length)}${digits}`;
  if (literal.length > MAX_NUMBER_LITERAL) {
    throw new ValidationError(
      `filter: ${textual} is too small in magnitude for a Vector Set FILTER expression (its parser reads numbers in plain decimal, at most ${MAX_NUMBER_LITERAL} characters)`,
      { backend: BACKEND },
    );
  }
  return literal;
}
