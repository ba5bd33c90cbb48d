import { BackendError, DimensionMismatchError } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * One embedding from the wire: a float array (`encoding_format: "float"`) or base64 of little-endian
 * float32 (`"base64"`; what the SDK asks for by default). Checked against the expected dimension and
 * for non-finite values, so a misbehaving server never puts a bad vector into an index.
 */
export function decodeEmbedding(value: unknown, dimension: number | undefined, where: string): Float32Array {
  let vector: Float32Array;
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "base64");
    if (bytes.length % 4 !== 0 || bytes.length === 0) {
      throw new BackendError(`${where}: base64 embedding of ${bytes.length} bytes is not a float32 array`, {
        backend: BACKEND,
      });
    }
    vector = new Float32Array(bytes.length / 4);
    if (LITTLE_ENDIAN) {
      // Copy: the Buffer may sit at an offset that is not 4-byte aligned.
      new Uint8Array(vector.buffer).set(bytes);
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      for (let i = 0; i < vector.length; i++) vector[i] = view.getFloat32(i * 4, true);
    }
  } else if (Array.isArray(value) || value instanceof Float32Array) {
    vector = Float32Array.from(value as ArrayLike<number>);
  } else {
    throw new BackendError(`${where}: embedding is neither a float array nor base64 (got ${typeof value})`, {
      backend: BACKEND,
    });
  }
  if (dimension !== undefined && vector.length !== dimension) {
    throw new DimensionMismatchError(dimension, vector.length, {
      backend: BACKEND,
      what: `${where}: the server's embedding`,
    });
  }
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!))
      throw new BackendError(`${where}: embedding[${i}] is not a finite number`, { backend: BACKEND });
  }
  return vector;
}
