/**
 * Inputs that are syntax somewhere: SQL, Redis key patterns and Lua, RediSearch and Lucene query
 * syntax, Mongo operators, paths, JSON. Every store must either round-trip them as plain data or
 * reject them with a typed ValidationError — never crash, escape, or truncate.
 */
export const HOSTILE_IDS_VALID: readonly string[] = [
  "plain",
  "it's",
  '"double"',
  "'; DROP TABLE sessions; --",
  "a;--",
  "*",
  "a*",
  "?",
  "[abc]",
  "{tag}",
  "}{",
  "$gt",
  '{"$gt": ""}',
  "../../etc/passwd",
  "a.b.c",
  "%_%",
  "back\\slash",
  "line\nbreak",
  "tab\there",
  "with space",
  "emoji 🧠🚀",
  "日本語のセッション",
  "@user:domain|x",
  "-leading-dash",
  "AND OR NOT",
  "x".repeat(512),
];

/** Ids every store must reject with ValidationError. */
export const HOSTILE_IDS_INVALID: readonly { id: string; why: string }[] = [
  { id: "", why: "empty" },
  { id: "nul\u0000byte", why: "NUL" },
  { id: "x".repeat(1024 * 1024), why: "1 MB" },
  { id: "lone \ud800 surrogate", why: "lone surrogate" },
];

export const HOSTILE_TEXT: readonly string[] = [
  "SELECT * FROM messages WHERE 1=1; --",
  "redis.call('FLUSHALL')",
  'title:(foo OR bar) AND NOT baz~2 "phrase" field:[* TO *] /regex/',
  "@tag:{a|b} -@x:[1 2]",
  '{"$where": "sleep(1000)"}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template syntax is exactly the hostile input
  "${process.env.SECRET}",
  "<script>alert(1)</script>",
  "multi\nline\r\nwith\ttabs",
  "emoji 🧠 and combining é",
  "",
];

export const HOSTILE_METADATA_KEYS: readonly string[] = [
  "$where",
  "a.b",
  "$gt",
  "'; DROP --",
  "key with space",
  "🔑",
  "{x}",
  "*",
];
