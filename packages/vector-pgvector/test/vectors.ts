/**
 * Deterministic pseudo-random vectors for behaviour tests (how many rows come back, order, types).
 * Recall is measured on the real-embedding fixture only, never on these.
 */
export function randomVectors(count: number, dimension: number, seed = 1): Float32Array[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  return Array.from({ length: count }, () => Float32Array.from({ length: dimension }, next));
}
