import { BackendError } from "@langswarm/memory-core";
import { text } from "../client.js";
import { BACKEND } from "../errors.js";

/**
 * VEMB ... RAW: [quantization, stored bytes, L2 norm(, q8 range)]. Vector Sets keep vectors
 * normalised (and quantised unless NOQUANT); this undoes it with the server's own float arithmetic,
 * so NOQUANT vectors come back as the server's VEMB gives them: the original up to float32 rounding
 * of x / |x| * |x|. Q8 and BIN vectors come back dequantised (approximate, as stored).
 */
export function decodeRawVector(reply: unknown, dimension: number): Float32Array {
  if (!Array.isArray(reply) || reply.length < 3 || !Buffer.isBuffer(reply[1]))
    throw new BackendError("VEMB RAW returned an unexpected reply", { backend: BACKEND });
  const kind = text(reply[0]);
  const data = reply[1] as Buffer;
  const l2 = Math.fround(Number(text(reply[2])));
  const out = new Float32Array(dimension);
  if (kind === "f32") {
    for (let i = 0; i < dimension; i++) out[i] = Math.fround(data.readFloatLE(i * 4) * l2);
  } else if (kind === "int8") {
    const range = Math.fround(Number(text(reply[3])));
    for (let i = 0; i < dimension; i++) {
      const value = Math.fround(Math.fround(data.readInt8(i) * range) / 127);
      out[i] = Math.fround(value * l2);
    }
  } else if (kind === "bin") {
    for (let i = 0; i < dimension; i++) {
      const byte = data[Math.floor(i / 64) * 8 + Math.floor((i % 64) / 8)]!;
      out[i] = (byte >> (i % 8)) & 1 ? 1 : -1;
    }
  } else {
    throw new BackendError(`VEMB RAW returned an unknown quantization ${JSON.stringify(kind)}`, {
      backend: BACKEND,
    });
  }
  return out;
}
