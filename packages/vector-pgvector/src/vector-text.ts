import { BackendError } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";

/**
 * pgvector's text format, `[1,0.5,-2]`. Values are float32 already (core's checks copied them into
 * a Float32Array), and Number#toString gives a decimal that parses back to the same float32, so a
 * vector round-trips exactly.
 */
export function toVectorText(vector: Float32Array): string {
  return `[${vector.join(",")}]`;
}

export function parseVectorText(text: unknown, dimension: number): Float32Array {
  if (typeof text !== "string" || text.length < 2 || text[0] !== "[" || text[text.length - 1] !== "]") {
    throw new BackendError(
      `the server returned a vector in an unexpected format: ${String(text).slice(0, 40)}`,
      { backend: BACKEND },
    );
  }
  const parts = text.slice(1, -1).split(",");
  if (parts.length !== dimension) {
    throw new BackendError(
      `the server returned a ${parts.length}-dimensional vector from a ${dimension}-dimensional index`,
      { backend: BACKEND },
    );
  }
  const out = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) out[i] = Number(parts[i]);
  return out;
}
