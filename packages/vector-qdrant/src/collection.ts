import { ConfigError, DimensionMismatchError } from "@langswarm/memory-core";
import type { Requester } from "./client.js";
import { BACKEND, httpStatus } from "./errors.js";
import { fieldPath, LAYOUT_VERSION } from "./payload.js";
import type { FieldType, ResolvedSettings } from "./settings.js";

/** The REST API this store uses (POST /points/query) arrived in Qdrant 1.10. */
export const MIN_SERVER_VERSION: readonly [number, number] = [1, 10];

/** Written into the collection's metadata (Qdrant ≥ 1.16 keeps it; older servers ignore it). */
export const COLLECTION_MARK = "langswarm";

interface CollectionInfo {
  config?: {
    params?: { vectors?: unknown };
    metadata?: Record<string, unknown> | null;
  };
  payload_schema?: Record<string, { data_type?: string } | undefined>;
}

export interface SetupOutcome {
  created: boolean;
  indexesCreated: string[];
  serverVersion: string | undefined;
}

/**
 * Create the collection if missing, else check it; then the payload indexes. Idempotent and safe when
 * several processes run it at once: a create that loses the race (409, or 400 "already exists" before
 * Qdrant 1.8) reads the winner's collection and checks it like any existing one; index creation is
 * idempotent in Qdrant.
 */
export async function ensureCollection(
  r: Requester,
  s: ResolvedSettings,
  signal?: AbortSignal,
): Promise<SetupOutcome> {
  const serverVersion = await checkServerVersion(r, signal);
  let info = await getCollection(r, s.collection, signal);
  let created = false;
  if (!info) {
    try {
      await r.call(
        "setup (create collection)",
        (init) => r.api.createCollection({ collection_name: s.collection, ...createBody(s) }, init),
        signal,
      );
      created = true;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    info = await getCollection(r, s.collection, signal);
    if (!info)
      throw new ConfigError(
        `collection "${s.collection}" vanished while setup() ran (dropped concurrently?)`,
        {
          backend: BACKEND,
          key: "collection_name",
        },
      );
  }
  checkCollection(info, s);
  const indexesCreated = await ensurePayloadIndexes(r, s, info, signal);
  return { created, indexesCreated, serverVersion };
}

export function createBody(s: ResolvedSettings): Record<string, unknown> {
  const hnsw: Record<string, number> = {};
  if (s.hnswM !== undefined) hnsw.m = s.hnswM;
  if (s.hnswEfConstruct !== undefined) hnsw.ef_construct = s.hnswEfConstruct;
  return {
    vectors: { size: s.dimension, distance: s.distance, ...(s.onDisk ? { on_disk: true } : {}) },
    ...(Object.keys(hnsw).length > 0 ? { hnsw_config: hnsw } : {}),
    metadata: { [COLLECTION_MARK]: { store: "@langswarm/vector-qdrant", layout: LAYOUT_VERSION } },
  };
}

async function getCollection(
  r: Requester,
  name: string,
  signal?: AbortSignal,
): Promise<CollectionInfo | undefined> {
  try {
    const data = await r.call(
      "setup (read collection)",
      (init) => r.api.getCollection({ collection_name: name }, init),
      signal,
    );
    return (data as { result?: CollectionInfo }).result ?? {};
  } catch (error) {
    if ((error as { code?: string }).code === "NOT_FOUND") return undefined;
    throw error;
  }
}

function isAlreadyExists(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  const status = httpStatus(cause);
  if (status === 409) return true;
  return status === 400 && /already exists/i.test((error as Error).message);
}

/** Compare an existing collection with the settings: size, distance, layout. */
export function checkCollection(info: CollectionInfo, s: ResolvedSettings): void {
  const vectors = info.config?.params?.vectors as Record<string, unknown> | undefined;
  const where = `collection "${s.collection}"`;
  if (!vectors || typeof vectors.size !== "number") {
    throw new ConfigError(
      `${where} has named vectors (${Object.keys(vectors ?? {}).join(", ") || "none"}); this store reads and writes one unnamed vector per point, so use another collection_name`,
      { backend: BACKEND, key: "collection_name" },
    );
  }
  if (vectors.size !== s.dimension) {
    throw new DimensionMismatchError(vectors.size, s.dimension, {
      backend: BACKEND,
      what: `the configured dimension (setting "dimension", ${where})`,
    });
  }
  if (vectors.distance !== s.distance) {
    throw new ConfigError(
      `${where} compares vectors by ${String(vectors.distance)}, but metric "${s.metric}" needs ${s.distance}; use the collection's metric or another collection_name`,
      { backend: BACKEND, key: "metric" },
    );
  }
  const mark = info.config?.metadata?.[COLLECTION_MARK] as { layout?: unknown } | undefined;
  if (mark && typeof mark.layout === "number" && mark.layout > LAYOUT_VERSION) {
    throw new ConfigError(
      `${where} was written with payload layout ${mark.layout}, newer than this version understands (${LAYOUT_VERSION}); upgrade @langswarm/vector-qdrant`,
      { backend: BACKEND, key: "collection_name" },
    );
  }
}

async function ensurePayloadIndexes(
  r: Requester,
  s: ResolvedSettings,
  info: CollectionInfo,
  signal?: AbortSignal,
): Promise<string[]> {
  const created: string[] = [];
  for (const [field, type] of Object.entries(s.filterableFields) as [string, FieldType][]) {
    const path = fieldPath(field);
    const existing = info.payload_schema?.[path]?.data_type;
    if (existing === type) continue;
    if (existing !== undefined) {
      throw new ConfigError(
        `collection "${s.collection}" indexes ${path} as ${existing}, but filterable_fields.${field} says ${type}`,
        { backend: BACKEND, key: `filterable_fields.${field}` },
      );
    }
    await r.call(
      `setup (payload index ${path})`,
      (init) =>
        r.api.createFieldIndex(
          { collection_name: s.collection, wait: true, field_name: path, field_schema: type },
          init,
        ),
      signal,
    );
    created.push(path);
  }
  return created;
}

/** GET / answers `{ title, version }`; refuse servers without the Query API. */
async function checkServerVersion(r: Requester, signal?: AbortSignal): Promise<string | undefined> {
  let data: unknown;
  try {
    data = await r.call("setup (server version)", (init) => r.api.root({}, init), signal);
  } catch (error) {
    // A proxy may hide the root; the collection calls that follow still tell whether Qdrant answers.
    if ((error as { code?: string }).code === "NOT_FOUND") return undefined;
    throw error;
  }
  const version = (data as { version?: unknown }).version;
  if (typeof version !== "string") return undefined;
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return version;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const [needMajor, needMinor] = MIN_SERVER_VERSION;
  if (major < needMajor || (major === needMajor && minor < needMinor)) {
    throw new ConfigError(
      `Qdrant ${version} is too old: this store needs ${needMajor}.${needMinor} or newer (the Query API, POST /collections/{name}/points/query)`,
      { backend: BACKEND },
    );
  }
  return version;
}
