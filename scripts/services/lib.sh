# shellcheck shell=bash
# Shared helpers for scripts/services/*.sh (sourced, never executed).
#
# Layout of the state directory (LANGSWARM_SERVICES_DIR, default /tmp/langswarm-services):
#   env.sh           export lines for every running service (written by start.sh)
#   NAME.env         export lines of one service
#   NAME.pid         PIDs of one service, one per line
#   NAME.state       shell assignments (PORT=..., DATA=...) used by status/stop
#   NAME.reason      one line: why the last start of NAME failed
#   NAME.timing      install/start seconds of the last start
#   logs/NAME.log    everything the service's install and start printed
# Installs are cached under LANGSWARM_CACHE (default ~/.cache/langswarm).
# Server data lives in a fresh temp dir per start, removed by stop.

LS_SERVICES_DIR="${LANGSWARM_SERVICES_DIR:-/tmp/langswarm-services}"
LS_CACHE="${LANGSWARM_CACHE:-$HOME/.cache/langswarm}"
LS_HOST=127.0.0.1
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$LS_SERVICES_DIR/logs" "$LS_CACHE"

ls_log() { printf '[services %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

ls_now() { date +%s.%N; }
ls_elapsed() { awk -v a="$1" -v b="$(ls_now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- failure

# ls_die "why": record the reason (first one wins) and fail the service.
ls_die() {
  local f="$LS_SERVICES_DIR/${SVC:-unknown}.reason"
  [[ -s "$f" ]] || printf '%s\n' "$*" >"$f"
  ls_log "${SVC:-?}: FAILED: $*"
  exit 1
}

# ERR trap for service scripts: the first command that failed (start.sh reports it when
# the script ended without an ls_die reason).
ls_on_err() {
  local rc="$1" cmd="$2" line="$3"
  local f="$LS_SERVICES_DIR/${SVC:-unknown}.errcmd"
  [[ -s "$f" ]] || printf 'command failed (exit %s, %s.sh line %s): %s; see %s\n' \
    "$rc" "${SVC:-?}" "$line" "${cmd:0:160}" "$LS_SERVICES_DIR/logs/${SVC:-?}.log" >"$f"
}

ls_need_cmd() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || ls_die "required command '$c' not found"; done
}

# ---------------------------------------------------------------- privileges

ls_sudo() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else ls_die "needs root (or passwordless sudo) to run: $*"
  fi
}

# ---------------------------------------------------------------- apt

ls_pkg_installed() {
  local p
  for p in "$@"; do
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" == installed ]] || return 1
  done
}

# apt-get update at most once per start.sh run (and whenever the lists are empty).
ls_apt_update() {
  local stamp="$LS_SERVICES_DIR/.apt-updated"
  if [[ "${1:-}" != force && -f "$stamp" && "$(cat "$stamp")" == "${LS_RUN_ID:-x}" ]]; then return 0; fi
  ls_log "apt-get update"
  ls_sudo apt-get update -qq -o DPkg::Lock::Timeout=300 || ls_die "apt-get update failed"
  echo "${LS_RUN_ID:-x}" >"$stamp"
}

ls_apt_install() {
  ls_pkg_installed "$@" && return 0
  ls_log "apt-get install $*"
  local opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=300
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  if ! ls_sudo apt-get install "${opts[@]}" "$@"; then
    ls_apt_update force
    ls_sudo apt-get install "${opts[@]}" "$@" || ls_die "apt-get install $* failed"
  fi
}

# Debian trixie's source packages (deb-src only: no binary package comes from trixie).
ls_trixie_src_enable() {
  local f=/etc/apt/sources.list.d/langswarm-trixie-src.sources
  if [[ ! -f "$f" ]]; then
    local uri
    uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1 == "URIs:" && $2 !~ /-security/ {print $2; exit}' || true)"
    [[ -n "$uri" ]] || uri="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)"
    [[ -n "$uri" ]] || ls_die "no Debian mirror found in the apt sources to add a trixie deb-src entry"
    ls_log "adding deb-src entry for trixie ($f)"
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
      | ls_sudo tee "$f" >/dev/null
    ls_apt_update force
  fi
}

# ls_debian_orig SRCPKG VERSION_GLOB DESTDIR: download the upstream tarball
# (SRCPKG_VERSION.orig.tar.*) of Debian trixie's source package into DESTDIR, checked
# against the hash apt knows; prints its path. Cached: a second call downloads nothing.
ls_debian_orig() {
  local pkg="$1" glob="$2" dest="$3" f
  mkdir -p "$dest"
  # shellcheck disable=SC2231 # $glob is a glob on purpose
  for f in "$dest/${pkg}_"$glob.orig.tar.*; do
    [[ -f "$f" && ! "$f" == *.part ]] && { echo "$f"; return 0; }
  done
  ls_need_cmd curl
  ls_trixie_src_enable
  local uris line
  uris="$(apt-get source --print-uris -qq "$pkg/trixie" 2>/dev/null || true)"
  if [[ -z "$uris" ]]; then
    ls_apt_update force
    uris="$(apt-get source --print-uris -qq "$pkg/trixie" 2>/dev/null || true)"
  fi
  line="$(grep -E "'[^']*/${pkg}_[^']*\.orig\.tar\.[a-z0-9]+'" <<<"$uris" | sed -n 1p || true)"
  [[ -n "$line" ]] || ls_die "apt lists no trixie source package '$pkg' (apt-get source --print-uris $pkg/trixie)"
  local url name hash
  url="$(awk '{print $1}' <<<"$line" | tr -d "'")"
  name="$(awk '{print $2}' <<<"$line")"
  hash="$(awk '{print $4}' <<<"$line")"
  # shellcheck disable=SC2053
  [[ "$name" == ${pkg}_$glob.orig.tar.* ]] || ls_die "trixie has $name, expected ${pkg}_$glob"
  ls_log "downloading $name"
  curl -fsSL --retry 3 --connect-timeout 20 -o "$dest/$name.part" "$url" || ls_die "download of $name failed"
  case "$hash" in
    SHA256:*) echo "${hash#SHA256:}  $dest/$name.part" | sha256sum -c --quiet - || ls_die "checksum mismatch for $name" ;;
    SHA512:*) echo "${hash#SHA512:}  $dest/$name.part" | sha512sum -c --quiet - || ls_die "checksum mismatch for $name" ;;
    *) ls_log "no SHA256 from apt for $name ($hash); size checked only" ;;
  esac
  mv "$dest/$name.part" "$dest/$name"
  echo "$dest/$name"
}

# ---------------------------------------------------------------- ports

# A free TCP port on 127.0.0.1, outside the kernel's ephemeral range (so no outgoing
# connection takes it between now and the server's bind), never one handed out before
# in this state dir.
ls_free_port() {
  local used="$LS_SERVICES_DIR/ports.used" p
  touch "$used"
  for _ in $(seq 1 50); do
    if command -v python3 >/dev/null 2>&1; then
      p="$(python3 - <<'PY'
import random, socket
lo, hi = 32768, 60999
try:
    lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except Exception:
    pass
ranges = [r for r in ((10000, lo - 1), (hi + 1, 65000)) if r[1] - r[0] > 1000] or [(10000, 65000)]
for _ in range(200):
    a, b = random.choice(ranges)
    port = random.randint(a, b)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        print(port)
        break
    except OSError:
        pass
    finally:
        s.close()
PY
)"
    else
      p=$((20000 + RANDOM % 12000))
      (exec 3<>"/dev/tcp/$LS_HOST/$p") 2>/dev/null && p=""
    fi
    [[ -n "$p" ]] || continue
    grep -qx "$p" "$used" && continue
    echo "$p" >>"$used"
    echo "$p"
    return 0
  done
  ls_die "could not find a free port"
}

ls_port_open() { (exec 3<>"/dev/tcp/$LS_HOST/$1") 2>/dev/null; }

# Alive = exists and is not a zombie (servers are reparented to PID 1, which may reap late).
ls_pid_alive() {
  [[ -n "${1:-}" ]] || return 1
  kill -0 "$1" 2>/dev/null || return 1
  local s
  s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  s="${s##*) }"
  [[ "${s%% *}" != Z ]]
}

# ls_wait_until TIMEOUT PID CMD...: poll CMD until it succeeds. Returns 0 when it does,
# 2 when PID (if not empty) has exited, 1 on timeout.
ls_wait_until() {
  local timeout="$1" pid="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ -n "$pid" ]] && ! ls_pid_alive "$pid"; then
      "$@" >/dev/null 2>&1 && return 0
      return 2
    fi
    sleep 0.2
  done
  return 1
}
ls_http_ok() { curl -fsS --max-time 3 -o /dev/null "$1"; }

# ---------------------------------------------------------------- per-service state

# Start a server in the background, detached from this script's process group (so a
# timeout on the start script does not kill it and it outlives start.sh). Sets SVC_PID.
ls_spawn() {
  local log="$1"; shift
  setsid nohup "$@" >>"$log" 2>&1 </dev/null &
  SVC_PID=$!
  echo "$SVC_PID" >>"$LS_SERVICES_DIR/$SVC.pid"
}

ls_state_set() { printf '%s=%q\n' "$1" "$2" >>"$LS_SERVICES_DIR/$SVC.state"; }

ls_env_add() {
  local k="$1" v="$2"
  if [[ "$v" =~ ^[A-Za-z0-9_./:@%+=,-]*$ ]]; then
    printf 'export %s=%s\n' "$k" "$v" >>"$LS_SERVICES_DIR/$SVC.env"
  else
    printf 'export %s=%q\n' "$k" "$v" >>"$LS_SERVICES_DIR/$SVC.env"
  fi
}

# ls_build_dir VAR NAME: a temp dir for a build, removed when the script exits (also on a
# timeout's TERM), stored in VAR.
LS_CLEANUP=()
ls_build_dir() {
  local __d
  __d="$(mktemp -d "${TMPDIR:-/tmp}/langswarm-build-$2.XXXXXX")"
  LS_CLEANUP+=("$__d")
  printf -v "$1" '%s' "$__d"
}
ls_cleanup() {
  local d
  for d in "${LS_CLEANUP[@]}"; do rm -rf -- "$d"; done
}

ls_new_datadir() {
  local d
  d="$(mktemp -d "${TMPDIR:-/tmp}/langswarm-$SVC.XXXXXX")"
  ls_state_set DATA "$d"
  echo "$d"
}

# Kill the PIDs recorded for $SVC (TERM, then KILL after a grace period), remove its data.
ls_stop_generic() {
  local pidf="$LS_SERVICES_DIR/$SVC.pid" st="$LS_SERVICES_DIR/$SVC.state" pid
  if [[ -f "$pidf" ]]; then
    while read -r pid; do
      if [[ -n "$pid" ]] && ls_pid_alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    done <"$pidf"
    for _ in $(seq 1 75); do
      local alive=0
      while read -r pid; do ls_pid_alive "$pid" && alive=1; done <"$pidf"
      ((alive)) || break
      sleep 0.2
    done
    while read -r pid; do
      if ls_pid_alive "$pid"; then ls_log "$SVC: PID $pid ignored TERM, sending KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    done <"$pidf"
  fi
  if [[ -f "$st" ]]; then
    local DATA=""
    # shellcheck disable=SC1090
    . "$st"
    if [[ -n "$DATA" && -d "$DATA" && "$DATA" == "${TMPDIR:-/tmp}"/langswarm-* ]]; then rm -rf -- "$DATA"; fi
  fi
  rm -f "$pidf" "$st" "$LS_SERVICES_DIR/$SVC.env"
}

# ---------------------------------------------------------------- redis (both versions)

# RESP PING over bash's /dev/tcp: no redis-cli needed.
ls_redis_ping() {
  (
    exec 3<>"/dev/tcp/$LS_HOST/$1" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 3 line <&3 || exit 1
    [[ "$line" == "+PONG"* ]]
  ) 2>/dev/null
}

# ls_redis_launch BIN: redis-server in the foreground (daemonize no) in the background, AOF on.
ls_redis_launch() {
  local bin="$1"
  PORT="$(ls_free_port)"
  ls_state_set PORT "$PORT"
  DATA="$(ls_new_datadir)"
  ls_spawn "$SVC_LOG" "$bin" --bind "$LS_HOST" --port "$PORT" --dir "$DATA" \
    --daemonize no --protected-mode no --appendonly yes --appendfsync everysec \
    --save '' --logfile '' --loglevel warning
}

ls_all_pids_alive() {
  local pidf="$LS_SERVICES_DIR/$SVC.pid" pid n=0
  [[ -s "$pidf" ]] || return 1
  while read -r pid; do
    [[ -z "$pid" ]] && continue
    ls_pid_alive "$pid" || return 1
    n=$((n + 1))
  done <"$pidf"
  ((n > 0))
}

# ---------------------------------------------------------------- service main

# A service script defines:
#   svc_install          idempotent install (fast when already installed)
#   svc_launch           start the server in the background (ls_spawn) on fresh ports; sets
#                        SVC_PID, writes state (ls_state_set); sets SVC_LAUNCH_DIED=1 when
#                        the server failed at once (retried on new ports); a command that
#                        fails in it fails the service
#   svc_ready            succeeds once the server answers (reads state via $PORT etc.)
#   svc_verify           optional: a real client check after svc_ready
#   svc_env              writes the export lines (ls_env_add)
#   svc_stop             optional: custom stop (default ls_stop_generic)
#   SVC_READY_TIMEOUT    seconds to wait for svc_ready (default 60)
# and ends with: ls_service_main "$@"
ls_service_main() {
  local cmd="${1:-start}"
  SVC_LOG="$LS_SERVICES_DIR/logs/$SVC.log"
  case "$cmd" in
    install)
      trap 'ls_on_err $? "$BASH_COMMAND" $LINENO' ERR
      trap ls_cleanup EXIT
      trap 'exit 143' TERM INT
      ls_locked_install ;;
    start)
      trap 'ls_on_err $? "$BASH_COMMAND" $LINENO' ERR
      trap ls_cleanup EXIT
      trap 'exit 143' TERM INT
      rm -f "$LS_SERVICES_DIR/$SVC.reason" "$LS_SERVICES_DIR/$SVC.errcmd"
      ls_service_stop quiet
      local t0 t1 attempt rc
      t0="$(ls_now)"
      ls_locked_install
      local install_s; install_s="$(ls_elapsed "$t0")"
      t1="$(ls_now)"
      for attempt in 1 2 3; do
        : >"$LS_SERVICES_DIR/$SVC.state"
        SVC_PID=""
        SVC_LAUNCH_DIED=0
        svc_launch
        # shellcheck disable=SC1090
        . "$LS_SERVICES_DIR/$SVC.state"
        rc=0
        if ((SVC_LAUNCH_DIED)); then rc=2
        else ls_wait_until "${SVC_READY_TIMEOUT:-60}" "$SVC_PID" svc_ready || rc=$?
        fi
        if ((rc == 0)); then break; fi
        if ((rc == 2 && attempt < 3)); then
          ls_log "$SVC: server exited before answering (port taken?); retrying on new ports"
          tail -n 5 "$SVC_LOG" >&2 || true
          ls_service_stop quiet
          continue
        fi
        local last; last="$(grep -v '^\[services' "$SVC_LOG" | grep -v '^\s*$' | tail -n 1 | cut -c1-200 || true)"
        if ((rc == 2)); then ls_die "server exited before answering; last log line: ${last:-none}"; fi
        ls_die "server did not answer within ${SVC_READY_TIMEOUT:-60}s; last log line: ${last:-none}"
      done
      if declare -F svc_verify >/dev/null; then svc_verify; fi
      : >"$LS_SERVICES_DIR/$SVC.env"
      svc_env
      local start_s; start_s="$(ls_elapsed "$t1")"
      printf 'install=%s start=%s\n' "$install_s" "$start_s" >"$LS_SERVICES_DIR/$SVC.timing"
      ls_log "$SVC: ready (install/check ${install_s}s, start ${start_s}s)" ;;
    stop) ls_service_stop ;;
    status)
      # 0 = running and answering
      ls_all_pids_alive || return 1
      [[ -s "$LS_SERVICES_DIR/$SVC.env" && -s "$LS_SERVICES_DIR/$SVC.state" ]] || return 1
      # shellcheck disable=SC1090
      . "$LS_SERVICES_DIR/$SVC.state"
      svc_ready ;;
    *) echo "usage: $0 {start|stop|install|status}" >&2; return 2 ;;
  esac
}

# Installs share the cache: two start.sh runs at once (other state dirs, CI and a
# developer) must not build into the same directory together.
ls_locked_install() {
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$LS_CACHE/.install-$SVC.lock"
    flock -w 1800 9 || ls_die "waited 30 min for another install of $SVC ($LS_CACHE/.install-$SVC.lock)"
    svc_install
    flock -u 9
    exec 9>&-
  else
    svc_install
  fi
}

ls_service_stop() {
  if [[ -f "$LS_SERVICES_DIR/$SVC.pid" || -f "$LS_SERVICES_DIR/$SVC.state" ]]; then
    [[ "${1:-}" == quiet ]] || ls_log "$SVC: stopping"
    if declare -F svc_stop >/dev/null; then svc_stop; else ls_stop_generic; fi
  fi
  rm -f "$LS_SERVICES_DIR/$SVC.env"
}
