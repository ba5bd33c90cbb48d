#!/usr/bin/env bash
# BigQuery emulator: goccy/bigquery-emulator v0.8.x built from the Go module proxy (pure Go:
# its GoogleSQL engine is WebAssembly translated to Go, so the cold build is long: ~20 min
# on a busy 2-core machine, one package alone needs ~5 GB of memory to compile), cached
# binary, project "test-project", storage in a fresh temp dir, random REST and gRPC ports
# on 127.0.0.1.
#   exports LANGSWARM_TEST_BIGQUERY_URL=http://127.0.0.1:PORT
#           LANGSWARM_TEST_BIGQUERY_PROJECT=test-project
# Usage: bigquery.sh {start|stop|install|status}   (normally via start.sh / stop.sh)
set -Eeuo pipefail
SVC=bigquery
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION=v0.8.1
PKG=github.com/goccy/bigquery-emulator/cmd/bigquery-emulator
PREFIX="$LS_CACHE/bigquery-emulator-$VERSION"
BIN="$PREFIX/bin/bigquery-emulator"
PROJECT=test-project
SVC_READY_TIMEOUT=120

svc_install() {
  if [[ -x "$BIN" && -f "$PREFIX/.complete" ]]; then return 0; fi
  ls_need_cmd go
  local mod
  ls_build_dir mod bigquery
  ls_log "building bigquery-emulator $VERSION with $(go version | awk '{print $3}') (go get -tool + go install)"
  (
    cd "$mod"
    go mod init langswarm.invalid/bigquery-emulator-tool >/dev/null 2>&1
    go get -tool "$PKG@$VERSION"
    mkdir -p "$PREFIX/bin"
    GOBIN="$PREFIX/bin" go install -ldflags "-X main.version=$VERSION" "$PKG"
  ) || { ls_die "go build of bigquery-emulator $VERSION failed; see $SVC_LOG"; }
  [[ -x "$BIN" ]] || ls_die "bigquery-emulator binary missing after go install"
  touch "$PREFIX/.complete"
}

svc_launch() {
  PORT="$(ls_free_port)"
  local grpc
  grpc="$(ls_free_port)"
  ls_state_set PORT "$PORT"
  DATA="$(ls_new_datadir)"
  ls_spawn "$SVC_LOG" "$BIN" --project="$PROJECT" --host="$LS_HOST" \
    --port="$PORT" --grpc-port="$grpc" --database="$DATA/bigquery.db" --log-level=warn
}

svc_ready() { ls_http_ok "http://$LS_HOST:$PORT/projects/$PROJECT/datasets"; }

svc_verify() {
  local u="http://$LS_HOST:$PORT/bigquery/v2/projects/$PROJECT" out
  curl -fsS --max-time 30 -X POST -H 'content-type: application/json' \
    -d "{\"datasetReference\":{\"projectId\":\"$PROJECT\",\"datasetId\":\"langswarm_svc_check\"}}" \
    "$u/datasets" >/dev/null || ls_die "creating a dataset failed"
  out="$(curl -fsS --max-time 120 -X POST -H 'content-type: application/json' \
    -d '{"query":"SELECT 40 + 2 AS answer","useLegacySql":false}' "$u/queries")" || ls_die "query SELECT 40 + 2 failed"
  grep -q '"42"' <<<"$out" || ls_die "query returned no 42: ${out:0:200}"
  curl -fsS --max-time 30 -X DELETE "$u/datasets/langswarm_svc_check?deleteContents=true" >/dev/null || true
  ls_log "bigquery: emulator $VERSION answers datasets and a query"
}

svc_env() {
  ls_env_add LANGSWARM_TEST_BIGQUERY_URL "http://$LS_HOST:$PORT"
  ls_env_add LANGSWARM_TEST_BIGQUERY_PROJECT "$PROJECT"
}

ls_service_main "$@"
