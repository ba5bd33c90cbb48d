#!/usr/bin/env bash
# PostgreSQL 15 from Debian, with pgvector 0.8 built from Debian trixie's source package
# against postgresql-server-dev-15. Runs as the `postgres` OS user (initdb refuses root)
# on a random 127.0.0.1 port with a fresh data dir; the test user is a superuser, so
# `CREATE EXTENSION vector` works for it.
#   exports LANGSWARM_TEST_POSTGRES_URL=postgres://langswarm:langswarm@127.0.0.1:PORT/langswarm_test
# Usage: postgres.sh {start|stop|install|status}   (normally via start.sh / stop.sh)
set -Eeuo pipefail
SVC=postgres
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_MAJOR=15
PGBIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_USER=langswarm
PG_PASS=langswarm
PG_DB=langswarm_test
SVC_READY_TIMEOUT=60

AS_PG=()
if [[ $EUID -eq 0 ]]; then AS_PG=(runuser -u postgres --); fi
as_pg() { "${AS_PG[@]}" "$@"; }

pgvector_installed() {
  local ctl=/usr/share/postgresql/$PG_MAJOR/extension/vector.control
  [[ -f "$ctl" && -f /usr/lib/postgresql/$PG_MAJOR/lib/vector.so ]] || return 1
  grep -Eq "^default_version = '0\.8\." "$ctl"
}

svc_install() {
  if [[ ! -x $PGBIN/initdb || ! -x $PGBIN/pg_ctl || ! -x $PGBIN/psql ]]; then
    if ! ls_pkg_installed postgresql-common && [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
      # No "main" cluster on port 5432 from the package: we run our own.
      ls_sudo mkdir -p /etc/postgresql-common
      echo 'create_main_cluster = false' | ls_sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
    fi
    ls_apt_install "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR"
  fi
  [[ -x $PGBIN/initdb ]] || ls_die "$PGBIN/initdb missing after installing postgresql-$PG_MAJOR"
  if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    ls_die "OS user 'postgres' does not exist (it comes with postgresql-common)"
  fi

  if ! pgvector_installed; then
    ls_apt_install "postgresql-server-dev-$PG_MAJOR"
    local tarball build
    tarball="$(ls_debian_orig pgvector '0.8.*' "$LS_CACHE/src/pgvector")"
    ls_build_dir build pgvector
    ls_log "building pgvector from $(basename "$tarball")"
    tar -xf "$tarball" -C "$build" --strip-components=1
    make -C "$build" -j"$(nproc)" PG_CONFIG="$PGBIN/pg_config" >/dev/null \
      || ls_die "pgvector build failed; see $SVC_LOG"
    ls_sudo make -C "$build" install PG_CONFIG="$PGBIN/pg_config" >/dev/null \
      || ls_die "pgvector make install failed; see $SVC_LOG"
    pgvector_installed || ls_die "pgvector 0.8 not found in PostgreSQL $PG_MAJOR after make install"
  fi
}

svc_launch() {
  PORT="$(ls_free_port)"
  ls_state_set PORT "$PORT"
  local base
  base="$(ls_new_datadir)"
  if [[ $EUID -eq 0 ]]; then chown postgres: "$base"; fi
  ls_state_set PGDATA "$base/data"
  as_pg mkdir -p "$base/sock"
  ( umask 077; printf '%s\n' "$PG_PASS" >"$base/pw" )
  if [[ $EUID -eq 0 ]]; then chown postgres: "$base/pw"; fi

  as_pg "$PGBIN/initdb" -D "$base/data" -U "$PG_USER" --pwfile="$base/pw" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null \
    || ls_die "initdb failed; see $SVC_LOG"
  rm -f "$base/pw"
  cat <<EOF | as_pg tee -a "$base/data/postgresql.conf" >/dev/null

# langswarm test server
max_connections = 200
shared_buffers = 128MB
fsync = on
logging_collector = off
log_min_messages = warning
EOF
  # setsid: the postmaster must not be in this script's process group (a timeout kills it).
  if ! setsid -w "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
      -o "-p $PORT -k $base/sock -c listen_addresses=$LS_HOST" start; then
    tail -n 5 "$base/server.log" >&2 || true
    SVC_LAUNCH_DIED=1
    return 0
  fi
  SVC_PID="$(head -n1 "$base/data/postmaster.pid")"
  echo "$SVC_PID" >>"$LS_SERVICES_DIR/$SVC.pid"
}

svc_ready() {
  "$PGBIN/pg_isready" -q -h "$LS_HOST" -p "$PORT" -d postgres -U "$PG_USER"
}

svc_verify() {
  local url="postgres://$PG_USER:$PG_PASS@$LS_HOST:$PORT"
  psql "$url/postgres" -v ON_ERROR_STOP=1 -qAt -c "CREATE DATABASE $PG_DB" \
    || ls_die "CREATE DATABASE $PG_DB failed"
  psql "$url/postgres" -v ON_ERROR_STOP=1 -qAt -c "CREATE DATABASE langswarm_svc_check" >/dev/null
  local out
  out="$(psql "$url/langswarm_svc_check" -v ON_ERROR_STOP=1 -qAt <<'SQL'
CREATE EXTENSION vector;
CREATE TABLE t (id int PRIMARY KEY, v vector(3));
INSERT INTO t VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.9,0.1,0]');
CREATE INDEX ON t USING hnsw (v vector_cosine_ops);
SELECT extversion FROM pg_extension WHERE extname = 'vector';
SELECT string_agg(id::text, ',') FROM (SELECT id FROM t ORDER BY v <=> '[1,0,0]' LIMIT 2) s;
SQL
)" || ls_die "CREATE EXTENSION vector / HNSW check failed"
  psql "$url/postgres" -qAt -c "DROP DATABASE langswarm_svc_check" >/dev/null || true
  [[ "$(tr '\n' ' ' <<<"$out")" == "0.8."*" 1,3 " ]] || ls_die "unexpected pgvector check output: $out"
  ls_log "postgres: pgvector $(head -n1 <<<"$out") works (CREATE EXTENSION vector, HNSW)"
}

svc_env() {
  ls_env_add LANGSWARM_TEST_POSTGRES_URL "postgres://$PG_USER:$PG_PASS@$LS_HOST:$PORT/$PG_DB"
}

svc_stop() {
  local st="$LS_SERVICES_DIR/$SVC.state" PGDATA=""
  # shellcheck disable=SC1090
  [[ -f "$st" ]] && . "$st"
  if [[ -n "$PGDATA" && -f "$PGDATA/postmaster.pid" ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" stop -m fast -w -t 30 >/dev/null 2>&1 || true
  fi
  ls_stop_generic
}

ls_service_main "$@"
