import { ValidationError } from "../errors.js";
import { ALL_FILTER_OPERATORS, type FilterNode, type FilterOperator, type FilterScalar } from "./types.js";

/** Metadata field names: letters, digits, `_`, `-`; no dots, `$`, quotes or spaces (they are syntax somewhere). */
export const METADATA_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const MAX_FILTER_DEPTH = 8;
const MAX_SET_SIZE = 1024;

export interface ParseFilterOptions {
  /** Operators the store supports; others fail with ValidationError. Default: all. */
  supported?: readonly FilterOperator[];
  backend?: string;
}

/**
 * Validate a user filter and turn it into a FilterNode tree. Throws ValidationError naming the
 * offending path. Returns null for an empty filter.
 */
export function parseFilter(filter: unknown, options: ParseFilterOptions = {}): FilterNode | null {
  if (filter === undefined || filter === null) return null;
  const supported = new Set(options.supported ?? ALL_FILTER_OPERATORS);
  const fail = (path: string, message: string): never => {
    throw new ValidationError(
      `filter${path}: ${message}`,
      options.backend ? { backend: options.backend } : {},
    );
  };
  const requireOp = (path: string, op: FilterOperator) => {
    if (!supported.has(op))
      fail(path, `operator ${op} is not supported by this store (supported: ${[...supported].join(" ")})`);
  };

  const parseObject = (value: unknown, path: string, depth: number): FilterNode => {
    if (depth > MAX_FILTER_DEPTH) fail(path, `nested deeper than ${MAX_FILTER_DEPTH} levels`);
    if (!isPlainObject(value)) fail(path, "expected an object");
    const children: FilterNode[] = [];
    for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
      if (raw === undefined) continue;
      const keyPath = `${path}.${key}`;
      if (key === "$and" || key === "$or") {
        requireOp(keyPath, key);
        if (!Array.isArray(raw) || raw.length === 0) fail(keyPath, "expected a non-empty array of filters");
        const parts = (raw as unknown[]).map((item, i) => parseObject(item, `${keyPath}[${i}]`, depth + 1));
        children.push({ type: key === "$and" ? "and" : "or", children: parts });
        continue;
      }
      if (key.startsWith("$"))
        fail(keyPath, `unknown logical operator ${JSON.stringify(key)} (use $and / $or)`);
      if (!METADATA_KEY_PATTERN.test(key)) {
        fail(
          keyPath,
          `field name must match ${METADATA_KEY_PATTERN} (got ${JSON.stringify(key.slice(0, 80))})`,
        );
      }
      children.push(...parseField(key, raw, keyPath));
    }
    if (children.length === 1) return children[0]!;
    return { type: "and", children };
  };

  const parseField = (field: string, raw: unknown, path: string): FilterNode[] => {
    if (isScalar(raw)) {
      requireOp(path, "$eq");
      return [{ type: "compare", field, op: "$eq", value: checkScalar(raw, path) }];
    }
    if (!isPlainObject(raw)) fail(path, "expected a string, number, boolean or an operator object");
    const nodes: FilterNode[] = [];
    const entries = Object.entries(raw as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) fail(path, "empty operator object");
    for (const [op, value] of entries) {
      const opPath = `${path}.${op}`;
      if (!(ALL_FILTER_OPERATORS as readonly string[]).includes(op) || op === "$and" || op === "$or") {
        fail(opPath, `unknown operator ${JSON.stringify(op)}`);
      }
      requireOp(opPath, op as FilterOperator);
      switch (op) {
        case "$eq":
        case "$ne":
          if (!isScalar(value)) fail(opPath, "expected a string, number or boolean");
          nodes.push({ type: "compare", field, op, value: checkScalar(value as FilterScalar, opPath) });
          break;
        case "$gt":
        case "$gte":
        case "$lt":
        case "$lte":
          if (typeof value !== "number" || !Number.isFinite(value)) fail(opPath, "expected a finite number");
          nodes.push({ type: "compare", field, op, value: value as number });
          break;
        case "$in":
        case "$nin": {
          if (!Array.isArray(value)) fail(opPath, "expected an array");
          const values = value as unknown[];
          if (values.length > MAX_SET_SIZE) fail(opPath, `at most ${MAX_SET_SIZE} values`);
          const checked = values.map((v, i) => {
            if (!isScalar(v)) fail(`${opPath}[${i}]`, "expected a string, number or boolean");
            return checkScalar(v as FilterScalar, `${opPath}[${i}]`);
          });
          nodes.push({ type: "set", field, op, values: checked });
          break;
        }
        case "$exists":
          if (typeof value !== "boolean") fail(opPath, "expected true or false");
          nodes.push({ type: "exists", field, exists: value as boolean });
          break;
      }
    }
    return nodes;
  };

  const checkScalar = (value: FilterScalar, path: string): FilterScalar => {
    if (typeof value === "number" && !Number.isFinite(value)) fail(path, "numbers must be finite");
    if (typeof value === "string" && value.includes("\u0000")) fail(path, "strings must not contain NUL");
    return value;
  };

  const node = parseObject(filter, "", 0);
  if (node.type === "and" && node.children.length === 0) return null;
  return node;
}

/** The operators a parsed filter uses (translators use it to pick a strategy). */
export function filterOperators(node: FilterNode | null): Set<FilterOperator> {
  const ops = new Set<FilterOperator>();
  const walk = (n: FilterNode) => {
    if (n.type === "and" || n.type === "or") {
      ops.add(n.type === "and" ? "$and" : "$or");
      n.children.forEach(walk);
    } else if (n.type === "exists") ops.add("$exists");
    else ops.add(n.op);
  };
  if (node) walk(node);
  return ops;
}

function isScalar(value: unknown): value is FilterScalar {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
