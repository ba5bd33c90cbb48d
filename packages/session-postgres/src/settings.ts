import {
  ConfigError,
  IDENTIFIER_PATTERN,
  type SettingsSchema,
  validateSettings,
} from "@langswarm/memory-core";
import type { Pool, PoolConfig } from "pg";
import { parseIntoClientConfig } from "pg-connection-string";
import { BACKEND } from "./errors.js";

/** Table prefix: empty or an identifier start, short enough that every derived name stays an identifier. */
export const TABLE_PREFIX_PATTERN = /^(?:[A-Za-z_][A-Za-z0-9_]{0,23})?$/;
/** A text search configuration name (`english`, `simple`, `german`...), optionally schema-qualified. */
export const TEXT_SEARCH_CONFIG_PATTERN = /^[a-z_][a-z0-9_]{0,62}(?:\.[a-z_][a-z0-9_]{0,62})?$/;

/** LangSwarm's snake_case settings for `backend: "postgres"`. */
export interface PostgresSessionSettings {
  url?: string;
  connection_string?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  schema?: string;
  table_prefix?: string;
  ssl?: boolean | Record<string, unknown>;
  pool_size?: number;
  statement_timeout_ms?: number;
  connect_timeout_ms?: number;
  application_name?: string;
  text_search_config?: string;
  prepared_statements?: boolean;
  max_retries?: number;
  /** A caller-owned pg.Pool. The store uses it and never ends it. */
  pool?: Pool;
}

export const settingsSchema: SettingsSchema = {
  url: {
    type: "string",
    secret: true,
    description:
      "connection URL postgres://user:password@host:port/database (libpq parameters such as sslmode allowed)",
  },
  connection_string: { type: "string", secret: true, description: "same as url (LangSwarm's spelling)" },
  host: {
    type: "string",
    description: "server host name, IP address or unix socket directory (default: PGHOST or localhost)",
  },
  port: { type: "integer", min: 1, max: 65535, description: "server port (default: PGPORT or 5432)" },
  database: { type: "string", description: "database name (default: PGDATABASE or the user name)" },
  user: { type: "string", description: "user name (default: PGUSER or the OS user)" },
  password: { type: "string", secret: true, description: "password (default: PGPASSWORD or ~/.pgpass)" },
  schema: {
    type: "string",
    pattern: IDENTIFIER_PATTERN,
    default: "public",
    description: "schema that holds the tables (created by setup() if missing)",
  },
  table_prefix: {
    type: "string",
    pattern: TABLE_PREFIX_PATTERN,
    default: "ls_",
    description: "prefix of every table, index and function name",
  },
  ssl: {
    type: ["boolean", "object"],
    description: "TLS: true, or node:tls options such as { ca, rejectUnauthorized }",
  },
  pool_size: {
    type: "integer",
    min: 1,
    max: 1000,
    default: 10,
    description: "maximum connections in the pool the store creates",
  },
  statement_timeout_ms: {
    type: "integer",
    min: 0,
    description: "server-side statement_timeout for the store's connections (0 = none)",
  },
  connect_timeout_ms: {
    type: "integer",
    min: 0,
    default: 10_000,
    description: "give up connecting after this long (0 = wait forever)",
  },
  application_name: { type: "string", default: "langswarm-memory", description: "shown in pg_stat_activity" },
  text_search_config: {
    type: "string",
    pattern: TEXT_SEARCH_CONFIG_PATTERN,
    default: "english",
    description:
      "text search configuration for full-text search over messages; fixed when setup() first creates the tables",
  },
  prepared_statements: {
    type: "boolean",
    default: true,
    description: "use named prepared statements (turn off behind PgBouncer < 1.21 in transaction mode)",
  },
  max_retries: {
    type: "integer",
    min: 0,
    max: 10,
    default: 2,
    description: "retries of a call that is safe to repeat after a connection failure",
  },
  pool: { type: "instance", description: "a pg.Pool you own; the store uses it and never ends it" },
};

const CONNECTION_KEYS = [
  "url",
  "connection_string",
  "host",
  "port",
  "database",
  "user",
  "password",
  "ssl",
  "pool_size",
  "connect_timeout_ms",
  "statement_timeout_ms",
] as const;

export interface ResolvedSettings {
  schema: string;
  tablePrefix: string;
  textSearchConfig: string;
  preparedStatements: boolean;
  maxRetries: number;
  /** Either a caller's pool or the config for ours. */
  pool: Pool | undefined;
  poolConfig: PoolConfig | undefined;
  /** host:port/database, for messages. Never includes credentials. */
  target: string;
  /** Secrets to remove from any driver message before it reaches an error. */
  secrets: string[];
}

/** Validate LangSwarm settings and turn them into what the store needs. Throws ConfigError. */
export function resolveSettings(input: PostgresSessionSettings | Record<string, unknown>): ResolvedSettings {
  const s = validateSettings(settingsSchema, input, {
    backend: BACKEND,
  }) as unknown as PostgresSessionSettings &
    Required<
      Pick<
        PostgresSessionSettings,
        | "schema"
        | "table_prefix"
        | "pool_size"
        | "connect_timeout_ms"
        | "application_name"
        | "text_search_config"
        | "prepared_statements"
        | "max_retries"
      >
    >;
  const given = (key: string) =>
    (input as Record<string, unknown>)[key] !== undefined && (input as Record<string, unknown>)[key] !== null;
  const common = {
    schema: s.schema,
    tablePrefix: s.table_prefix,
    textSearchConfig: s.text_search_config,
    preparedStatements: s.prepared_statements,
    maxRetries: s.max_retries,
  };

  if (s.pool !== undefined) {
    if (typeof (s.pool as Pool).connect !== "function" || typeof (s.pool as Pool).query !== "function") {
      throw new ConfigError("pool must be a pg.Pool (an object with connect() and query())", {
        backend: BACKEND,
        key: "pool",
      });
    }
    const clash = CONNECTION_KEYS.filter(given);
    if (clash.length > 0) {
      throw new ConfigError(
        `pool is given, so ${clash.join(", ")} cannot be: configure the connection on your pool`,
        { backend: BACKEND, key: clash[0]! },
      );
    }
    const opts = (s.pool as Pool & { options?: PoolConfig }).options ?? {};
    return { ...common, pool: s.pool, poolConfig: undefined, target: describeTarget(opts), secrets: [] };
  }

  if (s.url !== undefined && s.connection_string !== undefined) {
    throw new ConfigError("give url or connection_string, not both", {
      backend: BACKEND,
      key: "connection_string",
    });
  }
  const url = s.url ?? s.connection_string;
  let fromUrl: PoolConfig = {};
  if (url !== undefined) {
    try {
      fromUrl = parseIntoClientConfig(url) as PoolConfig;
    } catch {
      // The driver's error (and Node's URL error) would carry the whole URL, password included.
      throw new ConfigError(
        `${s.url !== undefined ? "url" : "connection_string"} is not a valid PostgreSQL connection URL`,
        {
          backend: BACKEND,
          key: s.url !== undefined ? "url" : "connection_string",
        },
      );
    }
  }
  const explicit: PoolConfig = {};
  if (s.host !== undefined) explicit.host = s.host;
  if (s.port !== undefined) explicit.port = s.port;
  if (s.database !== undefined) explicit.database = s.database;
  if (s.user !== undefined) explicit.user = s.user;
  if (s.password !== undefined) explicit.password = s.password;
  if (s.ssl !== undefined) explicit.ssl = s.ssl as PoolConfig["ssl"];
  // Settings given one by one win over the same part of the URL (e.g. a password from a secret store).
  const poolConfig: PoolConfig = {
    ...dropUndefined(fromUrl),
    ...explicit,
    max: s.pool_size,
    connectionTimeoutMillis: s.connect_timeout_ms,
    application_name: s.application_name,
  };
  if (s.statement_timeout_ms !== undefined && s.statement_timeout_ms > 0)
    poolConfig.statement_timeout = s.statement_timeout_ms;
  const password = typeof poolConfig.password === "string" ? poolConfig.password : undefined;
  return {
    ...common,
    pool: undefined,
    poolConfig,
    target: describeTarget(poolConfig),
    secrets: [password, url].filter((v): v is string => typeof v === "string" && v.length >= 4),
  };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/** host:port/database without user or password. */
export function describeTarget(config: {
  host?: string | undefined;
  port?: number | string | undefined;
  database?: string | undefined;
}): string {
  const host = config.host ?? process.env.PGHOST ?? "localhost";
  const port = config.port ?? process.env.PGPORT ?? 5432;
  const database = config.database ?? process.env.PGDATABASE ?? "";
  return `${host}:${port}/${database}`;
}

/** Replace every secret (and any password embedded in a URL) in a message. */
export function makeScrubber(secrets: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@");
    for (const secret of secrets) out = out.split(secret).join("***");
    return out;
  };
}
