import type { VectorMetric } from "@langswarm/memory-core";

/** A scored candidate: `slot` indexes the cache's arrays. */
interface Scored {
  slot: number;
  score: number;
}

/**
 * Exact search in JavaScript over an in-memory copy of the index's vectors: one contiguous
 * Float32Array, so a query is a tight loop with no per-row allocation (reading 100k BLOBs from SQLite
 * per query costs several times the scan itself). The copy is tagged with the index's write
 * `generation`: this connection's own writes update it in place; any other writer bumps the
 * generation and the next query reloads it.
 *
 * Scores use exactly core's `similarity()` arithmetic (same sums in the same order, in float64), so
 * they equal the reference store's bit for bit, and ties are broken by id like the reference.
 */
export class VectorCache {
  readonly dimension: number;
  readonly metric: VectorMetric;
  generation: number;
  #matrix: Float32Array;
  /** sqrt of each row's squared norm (cosine only), computed as similarity() does. */
  #norms: Float64Array;
  #pks: number[] = [];
  #ids: string[] = [];
  readonly #slotOf = new Map<number, number>();

  constructor(dimension: number, metric: VectorMetric, generation: number, capacity = 1024) {
    this.dimension = dimension;
    this.metric = metric;
    this.generation = generation;
    this.#matrix = new Float32Array(Math.max(1, capacity) * dimension);
    this.#norms = new Float64Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.#pks.length;
  }

  /** Memory held by the copy, in bytes. */
  get bytes(): number {
    return this.#matrix.byteLength + this.#norms.byteLength;
  }

  set(pk: number, id: string, vector: Float32Array): void {
    let slot = this.#slotOf.get(pk);
    if (slot === undefined) {
      slot = this.#pks.length;
      this.#grow(slot + 1);
      this.#pks.push(pk);
      this.#ids.push(id);
      this.#slotOf.set(pk, slot);
    } else {
      this.#ids[slot] = id;
    }
    const d = this.dimension;
    this.#matrix.set(vector, slot * d);
    if (this.metric === "cosine") {
      let nb = 0;
      for (let i = 0; i < d; i++) nb += vector[i]! * vector[i]!;
      this.#norms[slot] = Math.sqrt(nb);
    }
  }

  delete(pk: number): void {
    const slot = this.#slotOf.get(pk);
    if (slot === undefined) return;
    const last = this.#pks.length - 1;
    if (slot !== last) {
      // Move the last row into the hole so the matrix stays dense.
      const d = this.dimension;
      this.#matrix.copyWithin(slot * d, last * d, (last + 1) * d);
      this.#norms[slot] = this.#norms[last]!;
      this.#pks[slot] = this.#pks[last]!;
      this.#ids[slot] = this.#ids[last]!;
      this.#slotOf.set(this.#pks[slot]!, slot);
    }
    this.#pks.pop();
    this.#ids.pop();
    this.#slotOf.delete(pk);
  }

  /**
   * The k best rows, best first (score desc, then id asc), as pks. `only` restricts the scan to these
   * pks (a prefiltered set); pks the cache does not hold are ignored.
   */
  topK(query: Float32Array, k: number, only?: Iterable<number>): { pk: number; score: number }[] {
    const heap = new TopK(k, this.#ids);
    const score = this.#scorer(query);
    if (only) {
      for (const pk of only) {
        const slot = this.#slotOf.get(pk);
        if (slot !== undefined) heap.offer(slot, score(slot));
      }
    } else {
      for (let slot = 0; slot < this.#pks.length; slot++) heap.offer(slot, score(slot));
    }
    return heap.sorted().map((s) => ({ pk: this.#pks[s.slot]!, score: s.score }));
  }

  #scorer(q: Float32Array): (slot: number) => number {
    const d = this.dimension;
    const m = this.#matrix;
    if (this.metric === "dot") {
      return (slot) => {
        const o = slot * d;
        let dot = 0;
        for (let i = 0; i < d; i++) dot += q[i]! * m[o + i]!;
        return dot;
      };
    }
    if (this.metric === "euclidean") {
      return (slot) => {
        const o = slot * d;
        let sq = 0;
        for (let i = 0; i < d; i++) {
          const diff = q[i]! - m[o + i]!;
          sq += diff * diff;
        }
        return 1 / (1 + Math.sqrt(sq));
      };
    }
    let na = 0;
    for (let i = 0; i < d; i++) na += q[i]! * q[i]!;
    const qNorm = Math.sqrt(na);
    const norms = this.#norms;
    return (slot) => {
      const o = slot * d;
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[i]! * m[o + i]!;
      const denom = qNorm * norms[slot]!;
      return denom === 0 ? 0 : dot / denom;
    };
  }

  #grow(rows: number): void {
    const capacity = this.#norms.length;
    if (rows <= capacity) return;
    const next = Math.max(rows, capacity * 2);
    const matrix = new Float32Array(next * this.dimension);
    matrix.set(this.#matrix.subarray(0, this.#pks.length * this.dimension));
    this.#matrix = matrix;
    const norms = new Float64Array(next);
    norms.set(this.#norms.subarray(0, this.#pks.length));
    this.#norms = norms;
  }
}

/** Bounded min-heap keeping the k best (highest score; on equal scores the smaller id). */
class TopK {
  readonly #k: number;
  readonly #ids: string[];
  readonly #heap: Scored[] = [];

  constructor(k: number, ids: string[]) {
    this.#k = k;
    this.#ids = ids;
  }

  /** true when a is worse than b. */
  #worse(a: Scored, b: Scored): boolean {
    if (a.score !== b.score) return a.score < b.score;
    return this.#ids[a.slot]! > this.#ids[b.slot]!;
  }

  offer(slot: number, score: number): void {
    const heap = this.#heap;
    if (heap.length < this.#k) {
      heap.push({ slot, score });
      this.#up(heap.length - 1);
      return;
    }
    const root = heap[0]!;
    if (score < root.score) return;
    const candidate = { slot, score };
    if (!this.#worse(root, candidate)) return;
    heap[0] = candidate;
    this.#down(0);
  }

  sorted(): Scored[] {
    return [...this.#heap].sort((a, b) => (this.#worse(a, b) ? 1 : this.#worse(b, a) ? -1 : 0));
  }

  #up(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#worse(heap[i]!, heap[parent]!)) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && this.#worse(heap[l]!, heap[worst]!)) worst = l;
      if (r < heap.length && this.#worse(heap[r]!, heap[worst]!)) worst = r;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  }
}
