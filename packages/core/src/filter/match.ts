import type { VectorMetadata } from "../types/vector.js";
import type { FilterNode } from "./types.js";

/** Evaluate a parsed filter against one record's metadata: the reference semantics. */
export function matchesFilter(metadata: VectorMetadata, node: FilterNode | null): boolean {
  if (!node) return true;
  switch (node.type) {
    case "and":
      return node.children.every((child) => matchesFilter(metadata, child));
    case "or":
      return node.children.some((child) => matchesFilter(metadata, child));
    case "exists": {
      const present = Object.hasOwn(metadata, node.field) && metadata[node.field] !== null;
      return present === node.exists;
    }
    case "set": {
      const value = Object.hasOwn(metadata, node.field) ? metadata[node.field] : undefined;
      const hit = node.values.some((v) => v === value);
      return node.op === "$in" ? hit : !hit;
    }
    case "compare": {
      const value = Object.hasOwn(metadata, node.field) ? metadata[node.field] : undefined;
      switch (node.op) {
        case "$eq":
          return value === node.value;
        case "$ne":
          return value !== node.value;
        default:
          if (typeof value !== "number") return false;
          if (node.op === "$gt") return value > node.value;
          if (node.op === "$gte") return value >= node.value;
          if (node.op === "$lt") return value < node.value;
          return value <= node.value;
      }
    }
  }
}
