import { createHash } from "node:crypto";
import type { LuaScript } from "./client.js";

export function scriptOf(source: string): LuaScript {
  const trimmed = source.trim();
  return { source: trimmed, sha: createHash("sha1").update(trimmed).digest("hex") };
}
