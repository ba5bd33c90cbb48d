#!/usr/bin/env bash
# The project's entry points. Works on a fresh Debian machine with only Node (any version) and npm:
#   bash scripts/dev.sh demo    run the quickstart on embedded defaults (no server, no API key)
#   bash scripts/dev.sh test    install, build, start the real servers, run every package's tests
#   bash scripts/dev.sh ci      what CI runs: test + lint + package checks + release dry run
# Environment: LANGSWARM_SERVICES=none skips starting servers (suites needing them print why they skip);
# LANGSWARM_SERVICES="postgres redis" starts only those (default: what the packages' tests declare).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

log() { printf '\n== %s\n' "$*" >&2; }

install() {
  log "install"
  if [ "${CI:-}" = "true" ]; then pnpm install --frozen-lockfile; else pnpm install; fi
}

build() {
  log "build"
  pnpm exec turbo run build --output-logs=errors-only
}

# The servers the packages' tests need: each package lists them in package.json "langswarm.testServices".
needed_services() {
  node -e '
    const fs = require("fs"), path = require("path");
    const names = new Set();
    for (const dir of ["packages", "examples"]) for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const f = path.join(dir, d, "package.json");
      if (fs.existsSync(f)) for (const s of JSON.parse(fs.readFileSync(f, "utf8")).langswarm?.testServices ?? []) names.add(s);
    }
    console.log([...names].join(" "));'
}

start_services() {
  local wanted="${LANGSWARM_SERVICES:-$(needed_services)}"
  [ -n "$wanted" ] || wanted=none
  if [ "$wanted" = "none" ]; then log "services: none started (LANGSWARM_SERVICES=none)"; return; fi
  export LANGSWARM_SERVICES_DIR="${LANGSWARM_SERVICES_DIR:-$(mktemp -d /tmp/langswarm-services.XXXXXX)}"
  log "services: starting ${wanted}"
  trap stop_services EXIT
  # shellcheck disable=SC2086
  bash scripts/services/start.sh $wanted
  # shellcheck disable=SC1091
  [ -f "$LANGSWARM_SERVICES_DIR/env.sh" ] && source "$LANGSWARM_SERVICES_DIR/env.sh"
}

stop_services() {
  [ -n "${LANGSWARM_SERVICES_DIR:-}" ] && bash "$ROOT/scripts/services/stop.sh" >/dev/null 2>&1 || true
}

# Per-package test preparation that is not a server (e.g. vector-qdrant installs Qdrant's engine for its
# bridge tests): package.json "langswarm.testSetup" names a bash script in the package. A failure is
# printed, not fatal: the tests that need it skip and say why.
package_test_setup() {
  local list
  list=$(node -e '
    const fs = require("fs"), path = require("path");
    for (const d of fs.readdirSync("packages")) {
      const f = path.join("packages", d, "package.json");
      const s = fs.existsSync(f) && JSON.parse(fs.readFileSync(f, "utf8")).langswarm?.testSetup;
      if (s) console.log(path.join("packages", d, s));
    }')
  for script in $list; do
    log "test setup: $script"
    bash "$script" || printf 'test setup %s failed; its tests will skip with a reason\n' "$script" >&2
  done
}

run_tests() {
  export LANGSWARM_MATRIX_FILE="${LANGSWARM_MATRIX_FILE:-$(mktemp /tmp/langswarm-matrix.XXXXXX)}"
  : >"$LANGSWARM_MATRIX_FILE"
  find packages conformance examples -maxdepth 2 -name test-results.json -not -path '*/node_modules/*' -delete 2>/dev/null || true
  log "tests"
  local status=0
  pnpm exec turbo run test --concurrency=1 --continue --output-logs=full || status=$?
  node scripts/test-summary.mjs "$LANGSWARM_MATRIX_FILE" || status=$?
  return $status
}

case "${1:-help}" in
  demo)
    [ -d node_modules ] || install
    pnpm exec turbo run build --filter=@langswarm/example-quickstart... --output-logs=errors-only
    node examples/quickstart/index.mjs
    ;;
  test)
    install
    build
    start_services
    package_test_setup
    run_tests
    ;;
  ci)
    install
    build
    log "lint"
    pnpm exec biome check .
    log "package checks (publint, attw)"
    node scripts/check-packages.mjs
    start_services
    package_test_setup
    run_tests
    ;;
  *)
    sed -n '2,8p' "$0"
    exit 2
    ;;
esac
