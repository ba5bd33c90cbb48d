import {
  type FilterNode,
  type FilterScalar,
  METADATA_KEY_PATTERN,
  ValidationError,
} from "@langswarm/memory-core";

export interface FilterSqlOptions {
  /** The JSONB column, possibly qualified (`t.metadata`). Default `metadata`. */
  column?: string;
  /** Fields that have an expression index (see `indexed_fields`). */
  indexedFields?: ReadonlySet<string>;
}

export interface SqlFilter {
  /** A boolean SQL expression that is never NULL (so NOT and OR behave as in JavaScript). */
  sql: string;
  params: (string | number)[];
}

/**
 * Translate core's filter tree into SQL over the JSONB `metadata` column, with every value and every
 * JSON path bound as a parameter. The semantics are core's `matchesFilter`, exactly:
 * - equality never coerces types: a string matches only a JSON string (`json_type = 'text'`), a number
 *   only a JSON number, `true`/`false` only a JSON boolean (SQLite would otherwise read true as 1);
 * - `$ne` / `$nin` also match records without the field (every leaf is NULL-free, so NOT is safe);
 * - `$gt $gte $lt $lte` match numeric fields only;
 * - `$exists` means present and not null. Arrays are stored but never equal to a scalar.
 */
export function filterToSql(node: FilterNode, options: FilterSqlOptions = {}): SqlFilter {
  const column = options.column ?? "metadata";
  const indexed = options.indexedFields ?? new Set<string>();
  const params: (string | number)[] = [];
  const path = (field: string) => {
    // Field names match core's METADATA_KEY_PATTERN (no quotes); quoting keeps '-' literal in the path.
    params.push(`$."${field}"`);
    return "?";
  };
  // An indexed field is read with the very expressions its index was built on (a literal path), so
  // SQLite's planner can use the index — and, as the index holds both the value and its JSON type,
  // answer from the index alone. Other paths are bound parameters.
  const at = (field: string) => (indexed.has(field) ? literalPath(field) : path(field));
  // '' for a missing field: a NULL here would make NOT (…) NULL and drop the row.
  const typeOf = (field: string) => `coalesce(json_type(${column}, ${at(field)}), '')`;
  const extract = (field: string) => `(${column} ->> ${at(field)})`;
  const bind = (value: string | number) => {
    params.push(value);
    return "?";
  };

  const equalsOneOf = (field: string, values: FilterScalar[]): string => {
    const strings = values.filter((v): v is string => typeof v === "string");
    const numbers = values.filter((v): v is number => typeof v === "number");
    const booleans = [...new Set(values.filter((v): v is boolean => typeof v === "boolean"))];
    const parts: string[] = [];
    if (strings.length > 0) {
      parts.push(`(${typeOf(field)} = 'text' AND ${extract(field)} IN (${strings.map(bind).join(", ")}))`);
    }
    if (numbers.length > 0) {
      parts.push(
        `(${typeOf(field)} IN ('integer', 'real') AND ${extract(field)} IN (${numbers.map(bind).join(", ")}))`,
      );
    }
    if (booleans.length > 0) {
      parts.push(`(${typeOf(field)} IN (${booleans.map((b) => `'${b}'`).join(", ")}))`);
    }
    return parts.length === 0 ? "0" : `(${parts.join(" OR ")})`;
  };

  const walk = (n: FilterNode): string => {
    switch (n.type) {
      case "and":
        return `(${n.children.map(walk).join(" AND ")})`;
      case "or":
        return `(${n.children.map(walk).join(" OR ")})`;
      case "exists": {
        const present = `(${typeOf(n.field)} NOT IN ('', 'null'))`;
        return n.exists ? present : `(NOT ${present})`;
      }
      case "set": {
        const hit = equalsOneOf(n.field, n.values);
        return n.op === "$in" ? hit : `(NOT ${hit})`;
      }
      case "compare":
        switch (n.op) {
          case "$eq":
            return equalsOneOf(n.field, [n.value]);
          case "$ne":
            return `(NOT ${equalsOneOf(n.field, [n.value])})`;
          default: {
            const op = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" }[n.op];
            return `(${typeOf(n.field)} IN ('integer', 'real') AND ${extract(n.field)} ${op} ${bind(n.value)})`;
          }
        }
    }
  };
  return { sql: walk(node), params };
}

/**
 * The JSON path of a metadata field as an SQL string literal, for expression indexes and the queries
 * that must match them. Only names matching core's METADATA_KEY_PATTERN (letters, digits, `_`, `-`)
 * get here, so the literal can hold no quote or backslash.
 */
export function literalPath(field: string): string {
  if (!METADATA_KEY_PATTERN.test(field))
    throw new ValidationError(`metadata field ${JSON.stringify(field.slice(0, 80))} is not a valid name`);
  return `'$."${field}"'`;
}

/**
 * Whether an indexed field narrows the filter: an equality or `$in` on it that every match must
 * satisfy (a leaf, or a leaf of a top-level `$and`). Then prefiltering through the index is cheap.
 */
export function usesIndexedField(node: FilterNode, indexedFields: ReadonlySet<string>): boolean {
  switch (node.type) {
    case "and":
      return node.children.some((child) => usesIndexedField(child, indexedFields));
    case "compare":
      return node.op === "$eq" && typeof node.value !== "boolean" && indexedFields.has(node.field);
    case "set": {
      // One index lookup per value needs a single `IN` list: all strings or all numbers.
      const kinds = new Set(node.values.map((v) => typeof v));
      return node.op === "$in" && kinds.size === 1 && !kinds.has("boolean") && indexedFields.has(node.field);
    }
    default:
      return false;
  }
}
