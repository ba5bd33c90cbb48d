"""
Qdrant's REST API (the endpoints @langswarm/vector-qdrant uses) served over Qdrant's own engine.

No Qdrant server can be installed on the machines that build this project, but PyPI ships
`qdrant-edge-py`: Qdrant Edge, the segment engine of Qdrant (storage, payload filtering, scoring,
HNSW, payload indexes) as an in-process library. This bridge is only the HTTP layer: it parses the
REST JSON, builds the engine's request objects, and answers in Qdrant's response format. Everything
that decides *which* points match and *how* they score is Qdrant's code.

What is this bridge's own (and therefore not proven by it): the routing, the JSON <-> object
conversion, collection bookkeeping (one EdgeShard per collection) and HTTP status codes.

Usage: python bridge.py [port]   (prints "listening <port>" on stdout once ready)
Env:   QDRANT_EDGE_HNSW=1  build HNSW segments (indexing threshold 1 KB, optimize() before reads
                           that follow writes), so queries go through Qdrant's HNSW search.
"""

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

import numpy as np
import qdrant_edge as q

VERSION = "1.15.0"  # reported by GET /; the engine is qdrant-edge (see /bridge)
HNSW = os.environ.get("QDRANT_EDGE_HNSW") == "1"
DISTANCES = {"Cosine": q.Distance.Cosine, "Euclid": q.Distance.Euclid, "Dot": q.Distance.Dot}
SCHEMAS = {
    "keyword": q.PayloadSchemaType.Keyword,
    "integer": q.PayloadSchemaType.Integer,
    "float": q.PayloadSchemaType.Float,
    "bool": q.PayloadSchemaType.Bool,
}
ROOT = tempfile.mkdtemp(prefix="qdrant-edge-bridge-")
LOCK = threading.Lock()


class HttpError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Collection:
    def __init__(self, name, body):
        vectors = body.get("vectors")
        if not isinstance(vectors, dict) or not isinstance(vectors.get("size"), int):
            raise HttpError(400, "Wrong input: the bridge implements single unnamed vectors only")
        if vectors.get("distance") not in DISTANCES:
            raise HttpError(400, f"Format error in JSON body: unknown variant `{vectors.get('distance')}`")
        self.size = vectors["size"]
        self.distance = vectors["distance"]
        self.vectors_json = {k: v for k, v in vectors.items() if k in ("size", "distance", "on_disk")}
        self.metadata = body.get("metadata")
        self.hnsw_json = body.get("hnsw_config") or {}
        self.payload_schema = {}
        self.dirty = False
        self.path = os.path.join(ROOT, f"{uuid.uuid4().hex}")
        hnsw = None
        if HNSW or self.hnsw_json:
            hnsw = q.HnswIndexConfig(
                m=self.hnsw_json.get("m", 16),
                ef_construct=self.hnsw_json.get("ef_construct", 100),
                full_scan_threshold=1 if HNSW else 10000,
            )
        config = q.EdgeConfig(
            vectors=q.EdgeVectorParams(size=self.size, distance=DISTANCES[self.distance]),
            hnsw_config=hnsw,
            optimizers=q.EdgeOptimizersConfig(indexing_threshold=1) if HNSW else None,
        )
        self.shard = q.EdgeShard.create(self.path, config)

    def info(self):
        return {
            "status": "green",
            "optimizer_status": "ok",
            "points_count": self.shard.info().points_count,
            "segments_count": self.shard.info().segments_count,
            "config": {
                "params": {"vectors": self.vectors_json},
                "hnsw_config": {"m": 16, "ef_construct": 100, **self.hnsw_json},
                "optimizer_config": {},
                "wal_config": {},
                **({"metadata": self.metadata} if self.metadata else {}),
            },
            "payload_schema": {
                k: {"data_type": v, "params": {"type": v}, "points": 0} for k, v in self.payload_schema.items()
            },
        }

    def settle(self):
        """With QDRANT_EDGE_HNSW, build HNSW segments before a read that follows writes."""
        if HNSW and self.dirty:
            self.shard.optimize()
            self.dirty = False

    def drop(self):
        self.shard.close()
        shutil.rmtree(self.path, ignore_errors=True)


COLLECTIONS = {}


# ---- JSON -> qdrant_edge objects -------------------------------------------------------------

def point_id(raw):
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    if isinstance(raw, str):
        try:
            return uuid.UUID(raw)
        except ValueError:
            pass
    raise HttpError(400, f"Format error in JSON body: value {raw!r} is not a valid point ID")


def id_json(pid):
    return str(pid) if isinstance(pid, uuid.UUID) else pid


def match_scalar(v):
    # The binding would read a Python bool as the integer 0/1 (bool subclasses int); numpy's bool
    # is not an int, so it reaches the engine's boolean match, which is what JSON `true` means.
    if isinstance(v, bool):
        return np.bool_(v)
    if isinstance(v, (str, int)):
        return v
    raise HttpError(400, f"Format error in JSON body: data did not match any variant of untagged enum ValueVariants ({v!r})")


def homogeneous(values):
    if all(isinstance(v, str) for v in values) or all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        return list(values)
    raise HttpError(400, "Format error in JSON body: data did not match any variant of untagged enum AnyVariants")


def to_filter(f):
    if f is None:
        return None
    if not isinstance(f, dict):
        raise HttpError(400, "Format error in JSON body: filter must be an object")
    unknown = set(f) - {"must", "should", "must_not"}
    if unknown:
        raise HttpError(400, f"Format error in JSON body: unknown field {sorted(unknown)} in filter")

    def clause(name):
        v = f.get(name)
        if v is None:
            return None
        return [to_condition(c) for c in (v if isinstance(v, list) else [v])]

    return q.Filter(must=clause("must"), should=clause("should"), must_not=clause("must_not"))


def to_condition(c):
    if not isinstance(c, dict):
        raise HttpError(400, "Format error in JSON body: condition must be an object")
    if "must" in c or "should" in c or "must_not" in c:
        return to_filter(c)
    if "has_id" in c:
        return q.HasIdCondition(set(point_id(x) for x in c["has_id"]))
    if "is_empty" in c:
        return q.IsEmptyCondition(c["is_empty"]["key"])
    if "is_null" in c:
        return q.IsNullCondition(c["is_null"]["key"])
    key = c.get("key")
    if not isinstance(key, str):
        raise HttpError(400, f"Format error in JSON body: unsupported condition {c!r}")
    if "match" in c:
        m = c["match"]
        if "value" in m:
            return q.FieldCondition(key=key, match=q.MatchValue(match_scalar(m["value"])))
        if "any" in m:
            return q.FieldCondition(key=key, match=q.MatchAny(homogeneous(m["any"])))
        if "except" in m:
            return q.FieldCondition(key=key, match=q.MatchExcept(homogeneous(m["except"])))
        raise HttpError(400, f"Format error in JSON body: unsupported match {m!r}")
    if "range" in c:
        r = c["range"]
        bounds = {}
        for k in ("gt", "gte", "lt", "lte"):
            if r.get(k) is not None:
                if isinstance(r[k], bool) or not isinstance(r[k], (int, float)):
                    raise HttpError(400, f"Format error in JSON body: bad range {r!r}")
                bounds[k] = float(r[k])
        return q.FieldCondition(key=key, range=q.RangeFloat(**bounds))
    raise HttpError(400, f"Format error in JSON body: unsupported condition {c!r}")


def record_json(rec, with_payload, with_vector, score=None):
    out = {"id": id_json(rec.id)}
    if score is not None:
        out["version"] = 0
        out["score"] = score
    if with_payload:
        out["payload"] = rec.payload or {}
    if with_vector:
        out["vector"] = list(rec.vector) if rec.vector is not None else None
    return out


# ---- routes -------------------------------------------------------------------------------------

def route(method, path, query, body):
    if path == "/" and method == "GET":
        return None, {"title": "qdrant - vector search engine", "version": VERSION, "commit": "qdrant-edge-bridge"}
    if path == "/bridge" and method == "GET":
        return None, {"engine": "qdrant-edge", "hnsw": HNSW}
    if path == "/collections" and method == "GET":
        return {"collections": [{"name": n} for n in COLLECTIONS]}, None
    parts = path.split("/")
    if len(parts) < 3 or parts[1] != "collections":
        raise HttpError(404, f"Not found: {path}")
    name = unquote(parts[2])
    rest = "/" + "/".join(parts[3:]) if len(parts) > 3 else ""
    key = f"{method} {rest}"
    if key == "PUT ":
        if name in COLLECTIONS:
            raise HttpError(409, f"Wrong input: Collection `{name}` already exists!")
        COLLECTIONS[name] = Collection(name, body or {})
        return True, None
    c = COLLECTIONS.get(name)
    if c is None:
        raise HttpError(404, f"Not found: Collection `{name}` doesn't exist!")
    if key == "GET ":
        return c.info(), None
    if key == "DELETE ":
        del COLLECTIONS[name]
        c.drop()
        return True, None
    if key == "PUT /index":
        schema = body.get("field_schema")
        if isinstance(schema, dict):
            schema = schema.get("type")
        if schema not in SCHEMAS:
            raise HttpError(400, f"Format error in JSON body: unsupported field_schema {schema!r}")
        c.shard.update(q.UpdateOperation.create_field_index(body["field_name"], SCHEMAS[schema]))
        c.payload_schema[body["field_name"]] = schema
        return {"operation_id": 0, "status": "completed"}, None
    if key == "PUT /points":
        points = []
        for p in body["points"]:
            vector = p["vector"]
            if not isinstance(vector, list) or len(vector) != c.size:
                raise HttpError(
                    400,
                    f"Wrong input: Vector dimension error: expected dim: {c.size}, got {len(vector) if isinstance(vector, list) else '?'}",
                )
            points.append(q.Point(id=point_id(p["id"]), vector=[float(x) for x in vector], payload=p.get("payload") or {}))
        c.shard.update(q.UpdateOperation.upsert_points(points))
        c.dirty = True
        return {"operation_id": 1, "status": "completed"}, None
    if key == "POST /points":
        c.settle()
        with_payload = body.get("with_payload", True)
        with_vector = body.get("with_vector", False)
        recs = c.shard.retrieve(
            point_ids=[point_id(x) for x in body["ids"]], with_payload=with_payload, with_vector=with_vector
        )
        return [record_json(r, with_payload, with_vector) for r in recs], None
    if key == "POST /points/query":
        c.settle()
        vector = body.get("query")
        if not isinstance(vector, list) or len(vector) != c.size:
            raise HttpError(400, f"Wrong input: Vector dimension error: expected dim: {c.size}")
        params = body.get("params") or {}
        with_payload = body.get("with_payload", False)
        with_vector = body.get("with_vector", False)
        req = q.QueryRequest(
            limit=body.get("limit", 10),
            query=q.Query.Nearest([float(x) for x in vector]),
            filter=to_filter(body.get("filter")),
            with_payload=with_payload,
            with_vector=with_vector,
            score_threshold=body.get("score_threshold"),
            params=q.SearchParams(hnsw_ef=params.get("hnsw_ef"), exact=bool(params.get("exact", False))),
        )
        hits = c.shard.query(req)
        return {"points": [record_json(h, with_payload, with_vector, score=h.score) for h in hits]}, None
    if key == "POST /points/delete":
        if "points" in body:
            c.shard.update(q.UpdateOperation.delete_points([point_id(x) for x in body["points"]]))
        elif "filter" in body:
            c.shard.update(q.UpdateOperation.delete_points_by_filter(to_filter(body["filter"])))
        else:
            raise HttpError(400, "Format error in JSON body: expected `points` or `filter`")
        c.dirty = True
        return {"operation_id": 2, "status": "completed"}, None
    if key == "POST /points/count":
        c.settle()
        n = c.shard.count(q.CountRequest(exact=True, filter=to_filter(body.get("filter"))))
        return {"count": n}, None
    raise HttpError(404, f"Not found: {method} {path}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _serve(self, method):
        url = urlparse(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            try:
                body = json.loads(raw) if raw else {}
            except ValueError as e:
                raise HttpError(400, f"Format error in JSON body: {e}")
            with LOCK:
                result, top = route(method, url.path, parse_qs(url.query), body)
            status, payload = 200, (top if top is not None else {"result": result, "status": "ok", "time": 0})
        except HttpError as e:
            status, payload = e.status, {"status": {"error": str(e)}, "time": 0}
        except Exception as e:  # the engine refused something: Qdrant answers 400 for bad input too
            status, payload = 400, {"status": {"error": f"Wrong input: {e}"}, "time": 0}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._serve("GET")

    def do_PUT(self):
        self._serve("PUT")

    def do_POST(self):
        self._serve("POST")

    def do_DELETE(self):
        self._serve("DELETE")


def main():
    # SIGTERM (how the tests stop the bridge) ends serve_forever, so the shards' files are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        for c in COLLECTIONS.values():
            c.drop()
        shutil.rmtree(ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
