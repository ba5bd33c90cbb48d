import { ConfigError, type SettingsSchema } from "@langswarm/memory-core";
import type { Flavor, Refresh } from "./backend.js";

export const BACKEND = "elasticsearch";
export const DEFAULT_NODE = "http://localhost:9200";
export const DEFAULT_INDEX_PREFIX = "langswarm-";
/** Index names: lowercase, no leading `_ - +`, no `\ / * ? " < > | , # :` or spaces (ES rules). */
export const INDEX_PREFIX_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** LangSwarm's settings (snake_case) plus the connection knobs this adapter adds. */
export const settingsSchema: SettingsSchema = {
  hosts: {
    type: ["string", "string[]"],
    secret: true,
    description: `node URL(s), e.g. ${DEFAULT_NODE} (may carry user:password)`,
  },
  url: { type: "string", secret: true, description: "a single node URL (same as hosts)" },
  node: { type: ["string", "string[]"], secret: true, description: "node URL(s) (same as hosts)" },
  flavor: {
    type: "string",
    enum: ["elasticsearch", "opensearch"],
    description:
      "which client to use: @elastic/elasticsearch or @opensearch-project/opensearch (default: detected from GET / version.distribution)",
  },
  index_prefix: {
    type: "string",
    pattern: INDEX_PREFIX_PATTERN,
    default: DEFAULT_INDEX_PREFIX,
    description: "prefix of the indices this store creates (lowercase letters, digits, _ . -; at most 64)",
  },
  api_key: { type: "string", secret: true, description: "API key (Elasticsearch / OpenSearch Serverless)" },
  username: { type: "string", description: "basic-auth user" },
  password: { type: "string", secret: true, description: "basic-auth password" },
  ca: { type: "string", secret: true, description: "PEM of the CA that signed the server certificate" },
  reject_unauthorized: {
    type: "boolean",
    default: true,
    description: "verify the server's TLS certificate (turn off only for local testing)",
  },
  refresh: {
    type: "string",
    enum: ["false", "wait_for", "true"],
    default: "false",
    description:
      "refresh policy of the last write of each operation; reads by id are always current, searches in this process refresh when needed",
  },
  request_timeout_ms: {
    type: "integer",
    min: 1,
    default: 30_000,
    description: "fail a request with BackendUnavailableError after this long",
  },
  client: {
    type: "instance",
    description: "an Elastic or OpenSearch client you own; close() leaves it open",
  },
};

export interface ElasticsearchSessionStoreOptions {
  /** Node URL(s). Default http://localhost:9200 (ignored when `client` is given). */
  node?: string | string[];
  /** Which client to use; default: detected from GET / (needs the OpenSearch client to probe). */
  flavor?: Flavor;
  indexPrefix?: string;
  apiKey?: string;
  username?: string;
  password?: string;
  ca?: string;
  rejectUnauthorized?: boolean;
  refresh?: Refresh;
  requestTimeoutMs?: number;
  /** A caller-owned `@elastic/elasticsearch` or `@opensearch-project/opensearch` Client. */
  client?: unknown;
  /** Clock for timestamps and expiry checks (tests). */
  now?: () => Date;
}

export function optionsFromSettings(settings: Record<string, unknown>): ElasticsearchSessionStoreOptions {
  const o: ElasticsearchSessionStoreOptions = {};
  const node = settings.hosts ?? settings.node ?? settings.url;
  if (node !== undefined) o.node = node as string | string[];
  if (settings.flavor !== undefined) o.flavor = settings.flavor as Flavor;
  if (settings.index_prefix !== undefined) o.indexPrefix = settings.index_prefix as string;
  if (settings.api_key !== undefined) o.apiKey = settings.api_key as string;
  if (settings.username !== undefined) o.username = settings.username as string;
  if (settings.password !== undefined) o.password = settings.password as string;
  if (settings.ca !== undefined) o.ca = settings.ca as string;
  if (settings.reject_unauthorized !== undefined)
    o.rejectUnauthorized = settings.reject_unauthorized as boolean;
  if (settings.refresh !== undefined) o.refresh = settings.refresh as Refresh;
  if (settings.request_timeout_ms !== undefined) o.requestTimeoutMs = settings.request_timeout_ms as number;
  if (settings.client !== undefined) o.client = settings.client;
  const given = ["hosts", "node", "url"].filter((k) => settings[k] !== undefined);
  if (given.length > 1)
    throw new ConfigError(`give one of hosts, node or url (got ${given.join(", ")})`, {
      backend: BACKEND,
      key: given[1]!,
    });
  return o;
}

/** Checks the constructor does itself, so direct construction is as safe as the descriptor path. */
export function checkOptions(o: ElasticsearchSessionStoreOptions): void {
  const fail = (key: string, message: string) =>
    new ConfigError(`${key}: ${message}`, { backend: BACKEND, key });
  const prefix = o.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  if (typeof prefix !== "string" || !INDEX_PREFIX_PATTERN.test(prefix))
    throw fail(
      "index_prefix",
      `must match ${INDEX_PREFIX_PATTERN} (lowercase), got ${JSON.stringify(String(prefix).slice(0, 80))}`,
    );
  if (o.flavor !== undefined && o.flavor !== "elasticsearch" && o.flavor !== "opensearch")
    throw fail("flavor", 'must be "elasticsearch" or "opensearch"');
  if (o.refresh !== undefined && !["false", "true", "wait_for"].includes(o.refresh))
    throw fail("refresh", 'must be "false", "wait_for" or "true"');
  if (o.client !== undefined) {
    if (o.node !== undefined) throw fail("client", "give either client or hosts/url, not both");
    const c = o.client as Record<string, unknown>;
    if (
      typeof c !== "object" ||
      c === null ||
      typeof c.search !== "function" ||
      typeof c.index !== "function"
    )
      throw fail("client", "expected an @elastic/elasticsearch or @opensearch-project/opensearch Client");
  }
  const nodes = o.node === undefined ? [] : Array.isArray(o.node) ? o.node : [o.node];
  for (const n of nodes)
    if (typeof n !== "string" || !/^https?:\/\//i.test(n))
      throw fail("hosts", "each node must be an http(s):// URL");
  if ((o.username === undefined) !== (o.password === undefined))
    throw fail(o.username === undefined ? "username" : "password", "username and password go together");
}
