#!/usr/bin/env bash
# Runs check_kubernetes.py with the tools kubernetes_tools.sh installed
# (kustomize, and the venv with kubernetes-validate). No cluster, no network.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
paths=$("$HERE/kubernetes_tools.sh" --paths) || exit 1
eval "$paths"
exec "$PYTHON" "$HERE/check_kubernetes.py" --kustomize "$KUSTOMIZE" "$@"
