import { ConfigError } from "../errors.js";
import { closestMatch } from "../util/levenshtein.js";

export type SettingType = "string" | "number" | "integer" | "boolean" | "object" | "string[]" | "instance";

export interface SettingSpec {
  /** One type or several accepted types. `instance` = any non-null object (a caller's client). */
  type: SettingType | readonly SettingType[];
  description: string;
  required?: boolean;
  /** Never echoed in errors or logs. */
  secret?: boolean;
  default?: unknown;
  enum?: readonly (string | number)[];
  min?: number;
  max?: number;
  /** For strings: the value must match (e.g. identifiers that become table names). */
  pattern?: RegExp;
  /** For `object`: the nested schema (validated the same way). Without it any object is accepted. */
  properties?: SettingsSchema;
  /** Keep unknown keys inside this object (e.g. driver options passed through). */
  passthrough?: boolean;
}

export type SettingsSchema = Readonly<Record<string, SettingSpec>>;

/**
 * Validate settings against a schema: unknown keys (with the closest valid key), wrong types, ranges,
 * enums and patterns. All problems are reported at once. Secrets are never echoed. Returns a new object
 * with defaults applied.
 */
export function validateSettings(
  schema: SettingsSchema,
  input: unknown,
  context: { backend: string; path?: string },
): Record<string, unknown> {
  const problems: { key: string; message: string }[] = [];
  const result = validateObject(schema, input, context.path ?? "settings", problems);
  if (problems.length > 0) {
    const lines = problems.map((p) => `${p.key}: ${p.message}`);
    throw new ConfigError(
      problems.length === 1 ? lines[0]! : `invalid settings:\n  - ${lines.join("\n  - ")}`,
      { backend: context.backend, key: problems[0]!.key },
    );
  }
  return result;
}

function validateObject(
  schema: SettingsSchema,
  input: unknown,
  path: string,
  problems: { key: string; message: string }[],
  passthrough = false,
): Record<string, unknown> {
  if (input === undefined || input === null) input = {};
  if (typeof input !== "object" || Array.isArray(input)) {
    problems.push({ key: path, message: `expected an object, got ${describeType(input)}` });
    return {};
  }
  const out: Record<string, unknown> = {};
  const values = input as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (Object.hasOwn(schema, key)) continue;
    if (passthrough) {
      out[key] = values[key];
      continue;
    }
    const suggestion = closestMatch(key, Object.keys(schema));
    problems.push({
      key: `${path}.${key}`,
      message: `unknown setting${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; valid keys: ${Object.keys(schema).join(", ")}`,
    });
  }
  for (const [key, spec] of Object.entries(schema)) {
    const keyPath = `${path}.${key}`;
    let value = values[key];
    if (value === undefined || value === null) {
      if (spec.required) {
        problems.push({ key: keyPath, message: `required (${typeLabel(spec)}): ${spec.description}` });
        continue;
      }
      if (spec.default !== undefined) value = spec.default;
      else continue;
    }
    const checked = checkValue(spec, value, keyPath, problems);
    if (checked !== undefined) out[key] = checked;
  }
  return out;
}

function checkValue(
  spec: SettingSpec,
  value: unknown,
  path: string,
  problems: { key: string; message: string }[],
): unknown {
  const types = (Array.isArray(spec.type) ? spec.type : [spec.type]) as SettingType[];
  const matched = types.find((t) => matchesType(t, value));
  if (!matched) {
    problems.push({ key: path, message: `expected ${typeLabel(spec)}, got ${describeType(value)}` });
    return undefined;
  }
  const shown = (v: unknown) => (spec.secret ? "(secret)" : JSON.stringify(v));
  if (spec.enum && !spec.enum.includes(value as string | number)) {
    const suggestion = typeof value === "string" ? closestMatch(value, spec.enum.map(String)) : undefined;
    problems.push({
      key: path,
      message: `must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${shown(value)}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
    });
    return undefined;
  }
  if (typeof value === "number") {
    if (spec.min !== undefined && value < spec.min)
      problems.push({ key: path, message: `must be >= ${spec.min}` });
    if (spec.max !== undefined && value > spec.max)
      problems.push({ key: path, message: `must be <= ${spec.max}` });
  }
  if (typeof value === "string" && spec.pattern && !spec.pattern.test(value)) {
    problems.push({ key: path, message: `must match ${spec.pattern}, got ${shown(value)}` });
    return undefined;
  }
  if (matched === "object" && spec.properties) {
    return validateObject(spec.properties, value, path, problems, spec.passthrough);
  }
  return value;
}

function matchesType(type: SettingType, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value) && isPlain(value);
    case "string[]":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
    case "instance":
      return (typeof value === "object" || typeof value === "function") && value !== null;
  }
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function typeLabel(spec: SettingSpec): string {
  const types = Array.isArray(spec.type) ? spec.type : [spec.type];
  return types.map((t) => (t === "instance" ? "a client object" : t)).join(" or ");
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "number" && !Number.isInteger(value)) return "number (not an integer)";
  return typeof value;
}
