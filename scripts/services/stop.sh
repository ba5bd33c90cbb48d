#!/usr/bin/env bash
# Stop every server that scripts/services/start.sh recorded (postgres via pg_ctl stop, the
# others by PID: TERM, then KILL after a grace period) and remove their temp data.
#
#   scripts/services/stop.sh [NAME...]     (default: all recorded services)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

ALL=(postgres redis redis8 ferretdb chroma opensearch bigquery)
names=("$@")
((${#names[@]})) || names=("${ALL[@]}")

for name in "${names[@]}"; do
  if [[ ! -f "$HERE/$name.sh" ]]; then echo "stop.sh: unknown service '$name'" >&2; continue; fi
  if [[ -f "$LS_SERVICES_DIR/$name.pid" || -f "$LS_SERVICES_DIR/$name.state" ]]; then
    bash "$HERE/$name.sh" stop >>"$LS_SERVICES_DIR/logs/$name.log" 2>&1 \
      || echo "stop.sh: stopping $name failed; see $LS_SERVICES_DIR/logs/$name.log" >&2
    ls_log "$name: stopped"
  fi
  rm -f "$LS_SERVICES_DIR/$name.env"
done

# Rewrite env.sh without the stopped services.
if [[ -f "$LS_SERVICES_DIR/env.sh" ]]; then
  {
    echo "# written by scripts/services/stop.sh at $(date -Is); source it"
    for name in "${ALL[@]}"; do
      [[ -s "$LS_SERVICES_DIR/$name.env" ]] && cat "$LS_SERVICES_DIR/$name.env"
    done
  } >"$LS_SERVICES_DIR/env.sh.tmp"
  mv "$LS_SERVICES_DIR/env.sh.tmp" "$LS_SERVICES_DIR/env.sh"
fi
if ! ls "$LS_SERVICES_DIR"/*.pid >/dev/null 2>&1; then rm -f "$LS_SERVICES_DIR/ports.used"; fi
exit 0
