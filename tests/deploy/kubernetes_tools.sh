#!/usr/bin/env bash
# The tools of the Kubernetes manifest check (check_kubernetes.sh), installed
# once into a cache that every build tree shares:
#   - kustomize: the Go module sigs.k8s.io/kustomize/kustomize/v5 at a pinned
#     version, built by the machine's go (GOTOOLCHAIN=local) from the Go module
#     proxy (about 1.5 min the first time);
#   - a Python venv with kubernetes-validate, which bundles the Kubernetes
#     OpenAPI schemas, and its dependencies, pinned in
#     kubernetes-requirements.txt (PyPI).
# This is the only step that fetches anything; the check itself runs offline.
# ctest runs it as deploy.kubernetes_tools, a fixture of deploy.kubernetes.
#   kubernetes_tools.sh           install what is missing
#   kubernetes_tools.sh --paths   print KUSTOMIZE=... and PYTHON=..., install nothing
#   GEMPOOL_K8S_TOOLS             the cache (default ~/.cache/gempool/kubernetes-tools)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
KUSTOMIZE_VERSION=v5.8.2   # v5.8.3 needs Go 1.27; the CI machine has 1.26
TOOLS="${GEMPOOL_K8S_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/gempool/kubernetes-tools}"
REQS="$HERE/kubernetes-requirements.txt"
KUSTOMIZE="$TOOLS/kustomize-$KUSTOMIZE_VERSION/kustomize"
VENV="$TOOLS/venv-$(sha256sum "$REQS" | cut -c1-12)"

if [ "${1:-}" = "--paths" ]; then
  if [ -x "$KUSTOMIZE" ] && [ -f "$VENV/.installed" ]; then
    echo "KUSTOMIZE=$KUSTOMIZE"; echo "PYTHON=$VENV/bin/python"; exit 0
  fi
  echo "the Kubernetes check's tools are not installed in $TOOLS: run tests/deploy/kubernetes_tools.sh" \
       "(ctest runs it as deploy.kubernetes_tools; it needs go and python3-venv: scripts/install-deps.sh --test)" >&2
  exit 1
fi

mkdir -p "$TOOLS"
exec 9>"$TOOLS/.lock"
flock 9   # the test runs of two build trees may get here at once

if [ ! -x "$KUSTOMIZE" ]; then
  command -v go >/dev/null || { echo "go is not installed: the Kubernetes check builds kustomize with it (Go 1.26, as on the CI machine)"; exit 1; }
  echo "building kustomize $KUSTOMIZE_VERSION into $(dirname "$KUSTOMIZE")"
  gocache=$(mktemp -d)
  trap 'rm -rf "$gocache"' EXIT
  out="$(dirname "$KUSTOMIZE").tmp"
  rm -rf "$out"
  GOTOOLCHAIN=local GOFLAGS=-trimpath GOBIN="$out" GOCACHE="$gocache" \
    go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  rm -rf "$(dirname "$KUSTOMIZE")" && mv "$out" "$(dirname "$KUSTOMIZE")"
fi
echo "kustomize $("$KUSTOMIZE" version)"

if [ ! -f "$VENV/.installed" ]; then
  echo "creating the venv $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || { echo "python3 -m venv failed: install python3-venv (scripts/install-deps.sh --test)"; exit 1; }
  "$VENV/bin/pip" install --disable-pip-version-check --no-cache-dir -q -r "$REQS"
  touch "$VENV/.installed"
fi
"$VENV/bin/python" -c 'import importlib.metadata as m; print("kubernetes-validate", m.version("kubernetes-validate"))'
echo "the Kubernetes check's tools are ready in $TOOLS"
