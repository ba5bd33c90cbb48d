#!/usr/bin/env bash
# Install (cached, idempotent) and start real servers on 127.0.0.1 random free ports for the
# conformance suites, then write their URLs to $LANGSWARM_SERVICES_DIR/env.sh and print them.
#
#   scripts/services/start.sh [--strict] [NAME...]
#   NAME: postgres redis redis8 ferretdb chroma opensearch bigquery (default: all)
#
# A service that cannot be installed or started prints one line
# "service NAME unavailable: why" to stderr; the others go on. Exit status is 0 unless
# --strict is given and a service failed. Stop everything with scripts/services/stop.sh.
#
# Environment:
#   LANGSWARM_SERVICES_DIR   state dir (env.sh, PIDs, logs)  default /tmp/langswarm-services
#   LANGSWARM_CACHE          install cache                    default ~/.cache/langswarm
#   LANGSWARM_SERVICE_TIMEOUT            seconds per service (install + start), all services
#   LANGSWARM_SERVICE_TIMEOUT_<NAME>     the same for one service (e.g. ..._REDIS8=1200)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

ALL=(postgres redis redis8 ferretdb chroma opensearch bigquery)
declare -A DEFAULT_TIMEOUT=(
  [postgres]=600 [redis]=300 [redis8]=1200 [ferretdb]=1200
  [chroma]=600 [opensearch]=900 [bigquery]=2700
)

strict=0
names=()
for a in "$@"; do
  case "$a" in
    --strict) strict=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "start.sh: unknown option $a" >&2; exit 2 ;;
    *)
      if [[ -z "${DEFAULT_TIMEOUT[$a]:-}" ]]; then
        echo "start.sh: unknown service '$a' (known: ${ALL[*]})" >&2; exit 2
      fi
      names+=("$a") ;;
  esac
done
((${#names[@]})) || names=("${ALL[@]}")

LS_RUN_ID="$$.$(date +%s)"
export LS_RUN_ID
failed=0
t_all="$(ls_now)"

for name in "${names[@]}"; do
  log="$LS_SERVICES_DIR/logs/$name.log"
  if bash "$HERE/$name.sh" status >/dev/null 2>&1; then
    ls_log "$name: already running (reusing it)"
    continue
  fi
  upper="$(tr '[:lower:]' '[:upper:]' <<<"$name")"
  var="LANGSWARM_SERVICE_TIMEOUT_$upper"
  timeout_s="${!var:-${LANGSWARM_SERVICE_TIMEOUT:-${DEFAULT_TIMEOUT[$name]}}}"
  ls_log "$name: starting (timeout ${timeout_s}s, log $log)"
  rm -f "$LS_SERVICES_DIR/$name.reason" "$LS_SERVICES_DIR/$name.errcmd"
  printf '\n===== %s start %s =====\n' "$name" "$(date -Is)" >>"$log"
  rc=0
  timeout --kill-after=15 "$timeout_s" bash "$HERE/$name.sh" start >>"$log" 2>&1 || rc=$?
  if ((rc == 0)); then
    timing="$(cat "$LS_SERVICES_DIR/$name.timing" 2>/dev/null || true)"
    ls_log "$name: ready (${timing:-?})"
    continue
  fi
  failed=$((failed + 1))
  if ((rc == 124 || rc == 137)); then
    why="timed out after ${timeout_s}s (set LANGSWARM_SERVICE_TIMEOUT_$upper to allow more); see $log"
  elif [[ -s "$LS_SERVICES_DIR/$name.reason" ]]; then
    why="$(sed -n 1p "$LS_SERVICES_DIR/$name.reason")"
  elif [[ -s "$LS_SERVICES_DIR/$name.errcmd" ]]; then
    why="$(sed -n 1p "$LS_SERVICES_DIR/$name.errcmd")"
  else
    why="start script exited with status $rc; see $log"
  fi
  bash "$HERE/$name.sh" stop >>"$log" 2>&1 || true
  echo "service $name unavailable: $why" >&2
done

# env.sh: every recorded service that is still running (also ones from earlier runs).
tmp="$LS_SERVICES_DIR/env.sh.tmp"
{
  echo "# written by scripts/services/start.sh at $(date -Is); source it"
  for name in "${ALL[@]}"; do
    [[ -s "$LS_SERVICES_DIR/$name.env" ]] || continue
    bash "$HERE/$name.sh" status >/dev/null 2>&1 || continue
    cat "$LS_SERVICES_DIR/$name.env"
  done
} >"$tmp"
mv "$tmp" "$LS_SERVICES_DIR/env.sh"
grep '^export ' "$LS_SERVICES_DIR/env.sh" || true
ls_log "env written to $LS_SERVICES_DIR/env.sh (${#names[@]} requested, $failed unavailable, $(ls_elapsed "$t_all")s)"

if ((strict && failed)); then exit 1; fi
exit 0
