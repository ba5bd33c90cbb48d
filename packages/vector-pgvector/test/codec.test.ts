import { describe, expect, it } from "vitest";
import { encodeVector, encodeVectorArray, parseVectorText } from "../src/codec.js";

describe("vector codec", () => {
  it("encodes pgvector's binary format: uint16 dimension, uint16 unused, float4 big-endian", () => {
    const buf = encodeVector(Float32Array.of(1, -2.5, 1e-40));
    expect(buf.length).toBe(4 + 12);
    expect(buf.readUInt16BE(0)).toBe(3);
    expect(buf.readUInt16BE(2)).toBe(0);
    expect([buf.readFloatBE(4), buf.readFloatBE(8), buf.readFloatBE(12)]).toEqual([
      1,
      -2.5,
      Math.fround(1e-40),
    ]);
  });

  it("encodes a one-dimensional vector[] in PostgreSQL's binary array format", () => {
    const buf = encodeVectorArray([Float32Array.of(1, 2), Float32Array.of(3, 4)], 16_385);
    expect([
      buf.readInt32BE(0),
      buf.readInt32BE(4),
      buf.readUInt32BE(8),
      buf.readInt32BE(12),
      buf.readInt32BE(16),
    ]).toEqual([1, 0, 16_385, 2, 1]);
    expect(buf.readInt32BE(20)).toBe(12);
    expect(buf.subarray(24, 36)).toEqual(encodeVector(Float32Array.of(1, 2)));
    expect(buf.subarray(40, 52)).toEqual(encodeVector(Float32Array.of(3, 4)));
    expect(buf.length).toBe(52);
  });

  it("parses pgvector's text output and refuses anything else", () => {
    expect(parseVectorText("[1,0.5,-2]", 3)).toEqual(Float32Array.of(1, 0.5, -2));
    expect(() => parseVectorText("(1,2)", 2)).toThrow(/unexpected format/);
    expect(() => parseVectorText("[1,2]", 3)).toThrow(/2-dimensional/);
  });
});
