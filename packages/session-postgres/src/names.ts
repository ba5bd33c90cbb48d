import { assertIdentifier } from "@langswarm/memory-core";
import { escapeIdentifier, escapeLiteral } from "pg";
import { BACKEND } from "./errors.js";

/**
 * Every SQL name the store uses, validated against the identifier allow-list and quoted once.
 * Nothing a caller passes at run time (session ids, metadata, search text) ever becomes SQL: those
 * values are always bound parameters.
 */
export interface Names {
  schema: string;
  sessions: string;
  messages: string;
  summaries: string;
  watermarks: string;
  meta: string;
  migrations: string;
  appendFn: string;
  /** Unqualified, quoted: index names live in the table's schema. */
  index: (suffix: string) => string;
  /** The text search configuration as a SQL literal cast to regconfig. */
  tsConfig: string;
  /** Raw values (for catalog lookups and the advisory lock key). */
  raw: { schema: string; prefix: string; textSearchConfig: string };
}

export function buildNames(schema: string, prefix: string, textSearchConfig: string): Names {
  const ctx = { backend: BACKEND };
  assertIdentifier(schema, "schema", ctx);
  const qualified = (name: string) => {
    assertIdentifier(prefix + name, "table name (table_prefix + name)", ctx);
    return `${escapeIdentifier(schema)}.${escapeIdentifier(prefix + name)}`;
  };
  return {
    schema: escapeIdentifier(schema),
    sessions: qualified("sessions"),
    messages: qualified("messages"),
    summaries: qualified("summaries"),
    watermarks: qualified("watermarks"),
    meta: qualified("meta"),
    migrations: qualified("migrations"),
    appendFn: qualified("append_messages"),
    index: (suffix) => {
      assertIdentifier(prefix + suffix, "index name (table_prefix + name)", ctx);
      return escapeIdentifier(prefix + suffix);
    },
    tsConfig: `${escapeLiteral(textSearchConfig)}::regconfig`,
    raw: { schema, prefix, textSearchConfig },
  };
}
