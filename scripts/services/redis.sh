#!/usr/bin/env bash
# Redis 7.x from Debian (redis-server), AOF on (appendfsync everysec), daemonize no, on a
# random 127.0.0.1 port with a fresh data dir.
#   exports LANGSWARM_TEST_REDIS_URL=redis://127.0.0.1:PORT
# Usage: redis.sh {start|stop|install|status}   (normally via start.sh / stop.sh)
set -Eeuo pipefail
SVC=redis
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN=/usr/bin/redis-server
SVC_READY_TIMEOUT=30

svc_install() {
  if [[ ! -x $BIN || ! -x /usr/bin/redis-cli ]]; then
    ls_apt_install redis-server redis-tools
  fi
  local v
  v="$("$BIN" --version)" || ls_die "$BIN --version failed"
  [[ "$v" == *" v=7."* ]] || ls_die "expected Redis 7.x from Debian, found: $v"
}

svc_launch() { ls_redis_launch "$BIN"; }

svc_ready() { ls_redis_ping "$PORT"; }

svc_verify() {
  local cli=(redis-cli -h "$LS_HOST" -p "$PORT")
  [[ "$("${cli[@]}" SET langswarm:svc:check ok)" == OK ]] || ls_die "redis SET failed"
  [[ "$("${cli[@]}" GET langswarm:svc:check)" == ok ]] || ls_die "redis GET failed"
  "${cli[@]}" DEL langswarm:svc:check >/dev/null
  [[ "$("${cli[@]}" CONFIG GET appendonly | tail -n1)" == yes ]] || ls_die "appendonly is not on"
  ls_log "redis: $("${cli[@]}" INFO server | tr -d '\r' | grep '^redis_version:') answers SET/GET"
}

svc_env() { ls_env_add LANGSWARM_TEST_REDIS_URL "redis://$LS_HOST:$PORT"; }

ls_service_main "$@"
