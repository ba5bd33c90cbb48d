#!/usr/bin/env bash
# Redis 8.0.x built from Debian trixie's upstream tarball (redis_8.0.*.orig.tar.gz, found
# through a deb-src entry for trixie); Vector Sets (VADD/VSIM) are built in. The built
# redis-server/redis-cli are cached; AOF on, daemonize no, random 127.0.0.1 port.
#   exports LANGSWARM_TEST_REDIS8_URL=redis://127.0.0.1:PORT
# Usage: redis8.sh {start|stop|install|status}   (normally via start.sh / stop.sh)
set -Eeuo pipefail
SVC=redis8
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PREFIX="$LS_CACHE/redis8"
BIN="$PREFIX/bin/redis-server"
CLI="$PREFIX/bin/redis-cli"
SVC_READY_TIMEOUT=30

svc_install() {
  if [[ -x "$BIN" && -x "$CLI" && "$("$BIN" --version 2>&1 || true)" == *' v=8.0.'* ]]; then
    return 0
  fi
  ls_need_cmd make gcc tar
  local tarball build
  tarball="$(ls_debian_orig redis '8.0.*' "$LS_CACHE/src/redis")"
  ls_build_dir build redis8
  # Redis's default -O3 adds -flto, whose link step optimizes the whole server again (it
  # alone took over 5 minutes on a busy 2-core machine). -O2 skips LTO; set
  # LANGSWARM_REDIS8_OPTIMIZATION=-O3 for the upstream default.
  local opt="${LANGSWARM_REDIS8_OPTIMIZATION:--O2}"
  ls_log "building Redis from $(basename "$tarball") (make -j$(nproc) OPTIMIZATION=$opt)"
  tar -xf "$tarball" -C "$build" --strip-components=1
  make -C "$build" -j"$(nproc)" OPTIMIZATION="$opt" BUILD_TLS=no USE_SYSTEMD=no >"$build/make.log" 2>&1 \
    || { tail -n 30 "$build/make.log"; ls_die "Redis 8 build failed: $(grep -m1 -iE 'error' "$build/make.log" | cut -c1-160)"; }
  mkdir -p "$PREFIX/bin.new"
  cp "$build/src/redis-server" "$build/src/redis-cli" "$PREFIX/bin.new/"
  rm -rf "${PREFIX:?}/bin" && mv "$PREFIX/bin.new" "$PREFIX/bin"
  local v; v="$("$BIN" --version 2>&1 || true)"
  [[ "$v" == *' v=8.0.'* ]] || ls_die "built redis-server is not 8.0.x: ${v:0:200}"
}

svc_launch() { ls_redis_launch "$BIN"; }

svc_ready() { ls_redis_ping "$PORT"; }

svc_verify() {
  local cli=("$CLI" -h "$LS_HOST" -p "$PORT") k=langswarm:svc:vset out
  "${cli[@]}" DEL "$k" >/dev/null
  [[ "$("${cli[@]}" VADD "$k" VALUES 3 1 0 0 a SETATTR '{"n":1}')" == 1 ]] || ls_die "VADD failed (no Vector Sets?)"
  "${cli[@]}" VADD "$k" VALUES 3 0 1 0 b >/dev/null
  "${cli[@]}" VADD "$k" VALUES 3 0.9 0.1 0 c SETATTR '{"n":3}' >/dev/null
  out="$("${cli[@]}" VSIM "$k" VALUES 3 1 0 0 COUNT 2 | tr '\n' ' ')"
  [[ "$out" == "a c " ]] || ls_die "VSIM returned '$out', expected 'a c'"
  out="$("${cli[@]}" VSIM "$k" VALUES 3 1 0 0 COUNT 3 FILTER '.n > 2' | tr '\n' ' ')"
  [[ "$out" == "c " ]] || ls_die "VSIM FILTER returned '$out', expected 'c'"
  "${cli[@]}" DEL "$k" >/dev/null
  ls_log "redis8: $("${cli[@]}" INFO server | tr -d '\r' | grep '^redis_version:') VADD/VSIM/FILTER work"
}

svc_env() { ls_env_add LANGSWARM_TEST_REDIS8_URL "redis://$LS_HOST:$PORT"; }

ls_service_main "$@"
