import { ConfigError } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";

const ALLOWED = /^[a-zA-Z0-9._-]+$/;
const ALNUM = /[a-zA-Z0-9]/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Chroma's collection-name rules (checked here so the error names the setting instead of coming back
 * as a server 400): 3-512 characters of [a-zA-Z0-9._-], starting and ending with a letter or digit,
 * no "..", not an IPv4 address.
 */
export function assertCollectionName(name: string, key = "collection_name"): void {
  const fail = (why: string): never => {
    throw new ConfigError(
      `${key}: ${JSON.stringify(name.slice(0, 80))} is not a valid Chroma collection name: ${why}`,
      {
        backend: BACKEND,
        key,
      },
    );
  };
  if (name.length < 3 || name.length > 512) fail("it must be 3 to 512 characters long");
  if (!ALLOWED.test(name)) fail("only letters, digits, '.', '_' and '-' are allowed");
  if (!ALNUM.test(name[0]!) || !ALNUM.test(name[name.length - 1]!))
    fail("it must start and end with a letter or digit");
  if (name.includes("..")) fail('it must not contain ".."');
  const ip = IPV4.exec(name);
  if (ip?.slice(1).every((part) => Number(part) <= 255)) fail("it must not be an IPv4 address");
}
