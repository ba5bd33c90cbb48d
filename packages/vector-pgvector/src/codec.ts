import { BackendError } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";

/**
 * Vectors travel to the server in pgvector's binary format (vector_recv: uint16 dimension, uint16
 * unused, float4 big-endian values). The values are float32 already (core's checks copied them into
 * a Float32Array), so nothing is rounded, and encoding is a memory copy: formatting 384 floats as
 * decimal text costs ~150 µs of client CPU per vector, and the server parses it again.
 */
export function encodeVector(vector: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(4 + 4 * vector.length);
  writeVector(out, 0, vector);
  return out;
}

/** A one-dimensional `vector[]` in PostgreSQL's binary array format (array_recv). */
export function encodeVectorArray(vectors: readonly Float32Array[], elementOid: number): Buffer {
  let size = 20;
  for (const v of vectors) size += 8 + 4 * v.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(0, 4); // flags: no NULLs
  out.writeUInt32BE(elementOid, 8);
  out.writeInt32BE(vectors.length, 12);
  out.writeInt32BE(1, 16); // lower bound
  let offset = 20;
  for (const v of vectors) {
    out.writeInt32BE(4 + 4 * v.length, offset);
    offset = writeVector(out, offset + 4, v);
  }
  return out;
}

function writeVector(out: Buffer, offset: number, vector: Float32Array): number {
  out.writeUInt16BE(vector.length, offset);
  out.writeUInt16BE(0, offset + 2);
  let at = offset + 4;
  for (let i = 0; i < vector.length; i++, at += 4) out.writeFloatBE(vector[i]!, at);
  return at;
}

/** pgvector's text output, `[1,0.5,-2]` (shortest float32 decimals, so values round-trip exactly). */
export function parseVectorText(text: unknown, dimension: number): Float32Array {
  if (typeof text !== "string" || text.length < 2 || text[0] !== "[" || text[text.length - 1] !== "]") {
    throw new BackendError(
      `the server returned a vector in an unexpected format: ${String(text).slice(0, 40)}`,
      {
        backend: BACKEND,
      },
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
