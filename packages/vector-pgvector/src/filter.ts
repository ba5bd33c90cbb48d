import type { FilterNode, FilterScalar } from "@langswarm/memory-core";

/** Collects bound values and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  constructor(initial: unknown[] = []) {
    this.values.push(...initial);
  }
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Translate a parsed filter into a SQL condition over the `metadata` JSONB column, with every field
 * name and value bound. The semantics are core's (packages/core/src/filter/match.ts), type-exact:
 *
 * - `$eq` / `$in` are JSONB containment (`metadata @> '{"f": v}'`): containment compares JSON types
 *   (7 is not "7", true is not "true") and a scalar never matches a string array stored under the
 *   field (nested arrays do not contain scalars, unlike top-level ones). The GIN index on metadata
 *   (jsonb_path_ops) serves exactly this operator, so selective equality filters can run as exact
 *   scans over the matching rows.
 * - `$ne` / `$nin` are the negation, so they also match rows that lack the field.
 * - range operators match numbers only: `jsonb_typeof(...) = 'number'` and a JSONB comparison with
 *   the bound number. JSONB ordering never raises on other types, so the condition is safe whatever
 *   order PostgreSQL evaluates it in (a `::numeric` cast of a string field would raise).
 * - `$exists: true` is "present and not JSON null".
 */
export function filterToSql(node: FilterNode, params: Params, column = "metadata"): string {
  switch (node.type) {
    case "and":
    case "or": {
      if (node.children.length === 0) return node.type === "and" ? "TRUE" : "FALSE";
      const parts: string[] = [];
      let children = node.children;
      if (node.type === "and") {
        // Equalities under one AND become one containment test ({"kind":"message","sessionId":"s1"}):
        // one GIN lookup, and one selectivity estimate for the planner instead of a product of guesses.
        // (A null-prototype object, so a field named "__proto__" is an ordinary key.)
        const merged: Record<string, FilterScalar> = Object.create(null);
        children = children.filter((child) => {
          if (child.type !== "compare" || child.op !== "$eq" || Object.hasOwn(merged, child.field))
            return true;
          merged[child.field] = child.value;
          return false;
        });
        if (Object.keys(merged).length > 0)
          parts.push(`${column} @> ${params.add(JSON.stringify(merged))}::jsonb`);
      }
      for (const child of children) parts.push(filterToSql(child, params, column));
      return parts.length === 1 ? parts[0]! : `(${parts.join(node.type === "and" ? " AND " : " OR ")})`;
    }
    case "exists": {
      const kind = `COALESCE(jsonb_typeof(${column} -> ${params.add(node.field)}::text), 'null')`;
      return node.exists ? `${kind} <> 'null'` : `${kind} = 'null'`;
    }
    case "set": {
      if (node.values.length === 0) return node.op === "$in" ? "FALSE" : "TRUE";
      const patterns = node.values.map((value) => containment(node.field, value));
      const test = `${column} @> ANY(${params.add(patterns)}::jsonb[])`;
      return node.op === "$in" ? test : `NOT (${test})`;
    }
    case "compare": {
      if (node.op === "$eq" || node.op === "$ne") {
        const test = `${column} @> ${params.add(containment(node.field, node.value))}::jsonb`;
        return node.op === "$eq" ? test : `NOT (${test})`;
      }
      const op = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" }[node.op];
      const field = params.add(node.field);
      return `(jsonb_typeof(${column} -> ${field}::text) = 'number' AND (${column} -> ${field}::text) ${op} ${params.add(JSON.stringify(node.value))}::jsonb)`;
    }
  }
}

function containment(field: string, value: FilterScalar): string {
  return JSON.stringify({ [field]: value });
}
