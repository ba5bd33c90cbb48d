#!/usr/bin/env bash
# Install Qdrant's engine (qdrant-edge-py, from PyPI) into a virtualenv for the bridge tests:
#   bash packages/vector-qdrant/test/edge/install.sh
# The tests look for $QDRANT_EDGE_PYTHON, else $LANGSWARM_CACHE/qdrant-edge-venv/bin/python
# (LANGSWARM_CACHE defaults to ~/.cache/langswarm). Idempotent; ~15 MB download.
set -euo pipefail
CACHE="${LANGSWARM_CACHE:-$HOME/.cache/langswarm}"
VENV="$CACHE/qdrant-edge-venv"
EDGE_VERSION="${QDRANT_EDGE_VERSION:-0.9.0}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import qdrant_edge, numpy" 2>/dev/null; then
  echo "[qdrant-edge] ready: $VENV/bin/python"
  exit 0
fi
mkdir -p "$CACHE"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "qdrant-edge-py==$EDGE_VERSION" numpy
"$VENV/bin/python" -c "import qdrant_edge, numpy"
echo "[qdrant-edge] installed: $VENV/bin/python"
