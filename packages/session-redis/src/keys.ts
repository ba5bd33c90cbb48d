/**
 * Key layout. Every key of one session shares the hash tag `{<encoded session id>}`, so a session's
 * keys live in one Redis Cluster slot and its scripts never cross slots. Store-wide keys (listing
 * indexes, the expiry schedule, the membership registry, the schema version) have no tag.
 *
 *   <prefix>s:{E}        HASH  session record (id, u, a, st, md, ca, ua, ea, ls, sv) + watermarks `w:<name>`
 *   <prefix>m:{E}        HASH  seq -> encoded message
 *   <prefix>d:{E}        HASH  message id -> seq (idempotent appends)
 *   <prefix>y:{E}        HASH  summary version -> encoded summary
 *   <prefix>ix:...       ZSET  listing indexes: score = createdAt ms, member = E (see `indexKeys`)
 *   <prefix>reg          HASH  E -> index membership "Hu|Ha|Hs" (which indexes hold E)
 *   <prefix>exp          ZSET  E scored by expiresAt ms (what `prune()` visits)
 *   <prefix>meta         HASH  schema_version
 *
 * E is `encodeId(sessionId)`: the hex of the id's CESU-8 bytes. Hex can never contain `{` or `}`, so
 * no id (`}{`, `{tag}`, `*`, `../`) can break the tag or act as a pattern; and because CESU-8 encodes
 * each UTF-16 code unit in an order-preserving way, comparing two E strings byte by byte gives the
 * same order as comparing the ids with JavaScript's `<`. Redis breaks score ties by member bytes, so
 * listing order (createdAt desc, sessionId desc) falls out of the sorted sets with no extra work.
 */

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range test is the point
const ASCII = /^[\x00-\x7f]*$/;

export function encodeId(text: string): string {
  // ASCII (most ids): one byte per code unit in CESU-8 and UTF-8 alike; let Buffer do it natively.
  if (ASCII.test(text)) return Buffer.from(text, "latin1").toString("hex");
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) out += HEX[unit];
    else if (unit < 0x800) out += HEX[0xc0 | (unit >> 6)]! + HEX[0x80 | (unit & 0x3f)]!;
    else out += HEX[0xe0 | (unit >> 12)]! + HEX[0x80 | ((unit >> 6) & 0x3f)]! + HEX[0x80 | (unit & 0x3f)]!;
  }
  return out;
}

export function decodeId(encoded: string): string {
  const bytes = Buffer.from(encoded, "hex");
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i += 1;
    } else if (b < 0xe0) {
      out += String.fromCharCode(((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f));
      i += 2;
    } else {
      out += String.fromCharCode(((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f));
      i += 3;
    }
  }
  return out;
}

const HEX_ID = /^(?:[0-9a-f]{2})+$/;
export function isEncodedId(value: string): boolean {
  return HEX_ID.test(value);
}

export interface SessionKeys {
  /** The encoded session id (hash tag content and index member). */
  member: string;
  session: string;
  messages: string;
  dedupe: string;
  summaries: string;
}

/** The four per-session keys, in the order every script takes them (KEYS[1..4]). */
export function sessionKeys(prefix: string, sessionId: string): SessionKeys {
  return sessionKeysOf(prefix, encodeId(sessionId));
}

export function sessionKeysOf(prefix: string, member: string): SessionKeys {
  const tag = `{${member}}`;
  return {
    member,
    session: `${prefix}s:${tag}`,
    messages: `${prefix}m:${tag}`,
    dedupe: `${prefix}d:${tag}`,
    summaries: `${prefix}y:${tag}`,
  };
}

export interface StoreKeys {
  registry: string;
  expiry: string;
  meta: string;
}

export function storeKeys(prefix: string): StoreKeys {
  return { registry: `${prefix}reg`, expiry: `${prefix}exp`, meta: `${prefix}meta` };
}

/** Which listing indexes hold a session: its encoded user, agent and status ("" for a null id). */
export interface Membership {
  user: string;
  agent: string;
  status: string;
}

export function membershipOf(userId: string | null, agentId: string | null, status: string): Membership {
  return {
    user: userId == null ? "" : encodeId(userId),
    agent: agentId == null ? "" : encodeId(agentId),
    status: encodeId(status),
  };
}

export function formatMembership(m: Membership): string {
  return `${m.user}|${m.agent}|${m.status}`;
}

export function parseMembership(text: string): Membership | null {
  if (text === "") return null;
  const [user = "", agent = "", status = ""] = text.split("|");
  return { user, agent, status };
}

/**
 * One sorted set per combination of filters, so every `listSessions` query reads exactly one index in
 * order, with no filtering on the way: O(log n + limit) for any mix of userId / agentId / status.
 */
export function indexKey(prefix: string, filter: { user?: string; agent?: string; status?: string }): string {
  const parts: string[] = [];
  let name = "";
  if (filter.user !== undefined) {
    name += "u";
    parts.push(filter.user);
  }
  if (filter.agent !== undefined) {
    name += "a";
    parts.push(filter.agent);
  }
  if (filter.status !== undefined) {
    name += "s";
    parts.push(filter.status);
  }
  return name === "" ? `${prefix}ix:all` : `${prefix}ix:${name}:${parts.join(":")}`;
}

/** Every index a session with this membership belongs to (2, 4 or 8 keys). */
export function indexKeys(prefix: string, m: Membership | null): string[] {
  if (!m) return [];
  const user = m.user === "" ? [undefined] : [undefined, m.user];
  const agent = m.agent === "" ? [undefined] : [undefined, m.agent];
  const keys: string[] = [];
  for (const u of user)
    for (const a of agent)
      for (const s of [undefined, m.status]) keys.push(indexKey(prefix, { user: u, agent: a, status: s }));
  return keys;
}
