import { type FilterNode, ValidationError, type VectorMetadata } from "@langswarm/memory-core";
import { BACKEND } from "../errors.js";
import type { FieldKind } from "../settings.js";
import { isPresent, isScalar, PRESENT, valueToken } from "../tokens.js";

/**
 * Core's filter DSL as a RediSearch query (DIALECT 2), over the hash fields the store writes for each
 * declared filterable field `f`:
 *   t_f   TAG      typed equality tokens of the value, plus the presence token "p"
 *   n_f   NUMERIC  the value when it is a number (declared "numeric" fields only)
 *
 *   $eq / $ne     @t_f:{<token>}        / -@t_f:{<token>}       (negation matches missing fields, as core)
 *   $in / $nin    @t_f:{<t1> | <t2>}    / -@t_f:{...}
 *   $exists       @t_f:{p}              / -@t_f:{p}
 *   $gt ...       @n_f:[(30 +inf]  ...  (only numbers are indexed there, so strings never match)
 *   $and / $or    (a b) / (a | b)
 *
 * Tokens hold only [a-z0-9] (see tokens.ts): raw tag values would be trimmed, case-folded, split on
 * the separator and need every punctuation mark and space escaped; tokens need no escaping at all.
 * Field names may hold `-`, which the query syntax reads as negation: `escapeName` escapes every
 * character outside [A-Za-z0-9_].
 */

/** A token no value ever has: the empty $in matches nothing with it (and the empty $nin everything). */
const NEVER = "x";

export const tagField = (field: string) => `t_${field}`;
export const numericField = (field: string) => `n_${field}`;

export function escapeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`);
}

/** The hash fields of one record's filterable values (HSET arguments, in pairs). */
export function filterFields(
  metadata: VectorMetadata,
  fields: Readonly<Record<string, FieldKind>>,
): string[] {
  const out: string[] = [];
  for (const [field, kind] of Object.entries(fields)) {
    const value = Object.hasOwn(metadata, field) ? metadata[field] : undefined;
    if (!isPresent(value)) continue;
    const tokens = [PRESENT];
    if (isScalar(value)) tokens.push(valueToken(value));
    out.push(tagField(field), tokens.join(","));
    if (kind === "numeric" && typeof value === "number") out.push(numericField(field), numberText(value));
  }
  return out;
}

export function filterToQuery(node: FilterNode, fields: Readonly<Record<string, FieldKind>>): string {
  const need = (field: string, numeric: boolean) => {
    const kind = Object.hasOwn(fields, field) ? fields[field] : undefined;
    if (kind === undefined) {
      throw new ValidationError(
        `filter on "${field}": RediSearch filters only on indexed fields; add it to filterable_fields (declared: ${Object.keys(fields).join(", ") || "none"})`,
        { backend: BACKEND },
      );
    }
    if (numeric && kind !== "numeric") {
      throw new ValidationError(
        `filter on "${field}": $gt/$gte/$lt/$lte need the field declared "numeric" in filterable_fields (it is "${kind}")`,
        { backend: BACKEND },
      );
    }
  };
  const tag = (field: string, tokens: string[]) => {
    need(field, false);
    return `@${escapeName(tagField(field))}:{${tokens.length > 0 ? tokens.join(" | ") : NEVER}}`;
  };
  const walk = (n: FilterNode): string => {
    switch (n.type) {
      case "and":
      case "or":
        if (n.children.length === 1) return walk(n.children[0]!);
        return `(${n.children.map(walk).join(n.type === "and" ? " " : " | ")})`;
      case "exists":
        return `${n.exists ? "" : "-"}${tag(n.field, [PRESENT])}`;
      case "set":
        return `${n.op === "$in" ? "" : "-"}${tag(n.field, n.values.map(valueToken))}`;
      case "compare": {
        if (n.op === "$eq" || n.op === "$ne")
          return `${n.op === "$eq" ? "" : "-"}${tag(n.field, [valueToken(n.value)])}`;
        need(n.field, true);
        const v = numberText(n.value as number);
        const range =
          n.op === "$gt"
            ? `(${v} +inf`
            : n.op === "$gte"
              ? `${v} +inf`
              : n.op === "$lt"
                ? `-inf (${v}`
                : `-inf ${v}`;
        return `@${escapeName(numericField(n.field))}:[${range}]`;
      }
    }
  };
  return walk(node);
}

/** A number as the query lexer reads it: no `+` in exponents (`1e21`, `1.5e-7` are fine). */
export function numberText(value: number): string {
  return (Object.is(value, -0) ? "0" : String(value)).replace("e+", "e");
}
