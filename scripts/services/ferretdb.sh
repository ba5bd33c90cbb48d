#!/usr/bin/env bash
# MongoDB wire protocol: FerretDB v1.24.2 built from the Go module proxy (cached binary),
# SQLite handler with a fresh data dir, no auth, telemetry off, random 127.0.0.1 port.
#   exports LANGSWARM_TEST_MONGODB_URL=mongodb://127.0.0.1:PORT/
# Usage: ferretdb.sh {start|stop|install|status}   (normally via start.sh / stop.sh)
set -Eeuo pipefail
SVC=ferretdb
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION=v1.24.2
PREFIX="$LS_CACHE/ferretdb-$VERSION"
BIN="$PREFIX/bin/ferretdb"
SVC_READY_TIMEOUT=30

svc_install() {
  if [[ -x "$BIN" && "$("$BIN" --version 2>&1 || true)" == *"version: $VERSION"* ]]; then return 0; fi
  ls_need_cmd go
  # `go install` of the command from another module builds a binary that panics at start
  # ("Invalid build/version/version.txt"): FerretDB embeds its version from a file that its
  # release process generates. So: fetch the module (Go module proxy), copy it, write that
  # file, and build inside it.
  local dir src
  dir="$(cd / && go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || ls_die "go mod download github.com/FerretDB/FerretDB@$VERSION failed; see $SVC_LOG"
  ls_build_dir src ferretdb
  cp -R "$dir/." "$src/"
  chmod -R u+w "$src"
  echo "$VERSION" >"$src/build/version/version.txt"
  ls_log "building FerretDB $VERSION with $(go version | awk '{print $3}') (pure Go, 4-10 min cold on 2 cores)"
  mkdir -p "$PREFIX/bin"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$BIN.new" ./cmd/ferretdb) \
    || { ls_die "go build of FerretDB $VERSION failed; see $SVC_LOG"; }
  mv "$BIN.new" "$BIN"
  local v; v="$("$BIN" --version 2>&1 || true)"
  [[ "$v" == *"version: $VERSION"* ]] || ls_die "built ferretdb does not run: ${v:0:200}"
}

svc_launch() {
  PORT="$(ls_free_port)"
  ls_state_set PORT "$PORT"
  DATA="$(ls_new_datadir)"
  ls_spawn "$SVC_LOG" "$BIN" \
    --listen-addr="$LS_HOST:$PORT" \
    --handler=sqlite --sqlite-url="file:$DATA/" \
    --state-dir="$DATA" \
    --telemetry=disable --debug-addr=- --log-level=warn
}

svc_ready() { ls_port_open "$PORT"; }

# A real client round trip over the wire protocol (OP_MSG: ping, insert, find), with
# Python's standard library only.
svc_verify() {
  local out
  out="$(python3 - "$LS_HOST" "$PORT" 2>&1 <<'PY'
import socket, struct, sys

def enc_doc(d):
    out = b""
    for k, v in d.items():
        key = k.encode() + b"\x00"
        if isinstance(v, bool):
            out += b"\x08" + key + (b"\x01" if v else b"\x00")
        elif isinstance(v, int):
            out += b"\x10" + key + struct.pack("<i", v)
        elif isinstance(v, float):
            out += b"\x01" + key + struct.pack("<d", v)
        elif isinstance(v, str):
            b = v.encode()
            out += b"\x02" + key + struct.pack("<i", len(b) + 1) + b + b"\x00"
        elif isinstance(v, dict):
            out += b"\x03" + key + enc_doc(v)
        elif isinstance(v, list):
            out += b"\x04" + key + enc_doc({str(i): x for i, x in enumerate(v)})
        else:
            raise TypeError(type(v))
    return struct.pack("<i", len(out) + 5) + out + b"\x00"

def dec_doc(b, i=0):
    n = struct.unpack_from("<i", b, i)[0]
    end, i, d = i + n - 1, i + 4, {}
    while i < end:
        t = b[i]; i += 1
        j = b.index(b"\x00", i); k = b[i:j].decode(); i = j + 1
        if t == 1: d[k] = struct.unpack_from("<d", b, i)[0]; i += 8
        elif t == 2:
            m = struct.unpack_from("<i", b, i)[0]; d[k] = b[i + 4:i + 3 + m].decode(); i += 4 + m
        elif t in (3, 4):
            m = struct.unpack_from("<i", b, i)[0]; sub = dec_doc(b, i)
            d[k] = list(sub.values()) if t == 4 else sub; i += m
        elif t == 7: d[k] = b[i:i + 12].hex(); i += 12
        elif t == 8: d[k] = b[i] == 1; i += 1
        elif t == 9: d[k] = struct.unpack_from("<q", b, i)[0]; i += 8
        elif t == 10: d[k] = None
        elif t == 16: d[k] = struct.unpack_from("<i", b, i)[0]; i += 4
        elif t in (17, 18): d[k] = struct.unpack_from("<q", b, i)[0]; i += 8
        else: raise ValueError("bson type %d" % t)
    return d

s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
rid = 0
def cmd(doc):
    global rid
    rid += 1
    body = struct.pack("<I", 0) + b"\x00" + enc_doc(doc)
    s.sendall(struct.pack("<iiii", 16 + len(body), rid, 0, 2013) + body)
    hdr = b""
    while len(hdr) < 16: hdr += s.recv(16 - len(hdr))
    length = struct.unpack("<i", hdr[:4])[0]
    rest = b""
    while len(rest) < length - 16: rest += s.recv(length - 16 - len(rest))
    assert rest[4] == 0, "unexpected OP_MSG section kind"
    r = dec_doc(rest, 5)
    if r.get("ok") != 1.0: raise SystemExit("command %s failed: %r" % (list(doc)[0], r))
    return r

cmd({"ping": 1, "$db": "admin"})
bi = cmd({"buildInfo": 1, "$db": "admin"})
cmd({"insert": "svc_check", "documents": [{"_id": "a", "n": 1}, {"_id": "b", "n": 2}], "$db": "langswarm_svc_check"})
f = cmd({"find": "svc_check", "filter": {"n": {"$gt": 1}}, "$db": "langswarm_svc_check"})
docs = f["cursor"]["firstBatch"]
assert [d["_id"] for d in docs] == ["b"], docs
cmd({"dropDatabase": 1, "$db": "langswarm_svc_check"})
print("mongo wire ok: version %s, ferretdb %s" % (bi.get("version"), bi.get("ferretdbVersion", "?")))
PY
)" || ls_die "MongoDB wire check (ping/insert/find) failed: $(tail -n1 <<<"$out")"
  ls_log "ferretdb: $out"
}

svc_env() { ls_env_add LANGSWARM_TEST_MONGODB_URL "mongodb://$LS_HOST:$PORT/"; }

ls_service_main "$@"
