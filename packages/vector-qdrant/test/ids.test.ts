import { describe, expect, it } from "vitest";
import { ID_NAMESPACE, pointId } from "../src/index.js";

describe("point ids", () => {
  it("are RFC 9562 version-5 UUIDs that Python's uuid.uuid5 reproduces", () => {
    // python3 -c 'import uuid; ns = uuid.uuid5(uuid.NAMESPACE_URL,
    //   "https://github.com/langswarm/langswarm-memory-ts#vector-qdrant"); print(ns, uuid.uuid5(ns, "hello"))'
    expect(ID_NAMESPACE).toBe("d29fe797-6cf7-57bc-af90-4ae64618d902");
    expect(pointId("hello")).toBe("5ff0bdcc-72c2-5c0d-bc37-72d30e1774c7");
    expect(pointId("日本語")).toBe("4aa8cddc-fe58-5d2e-8144-df5842abfcba");
  });

  it("are deterministic, distinct per id, and well-formed for any text", () => {
    const ids = ["a", "A", "a ", "", "x".repeat(512), "emoji 🧠", "'; DROP", "line\nbreak"];
    const uuids = ids.map(pointId);
    expect(new Set(uuids).size).toBe(ids.length);
    for (const [i, id] of ids.entries()) {
      expect(pointId(id)).toBe(uuids[i]);
      expect(uuids[i]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
