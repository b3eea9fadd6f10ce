#!/usr/bin/env bash
# Builds helm from the Go module proxy into bin/ for the chart's tests (charts/chart_test.go).
#
# No download site is reachable from our machines, so helm is built with `go install` at a pinned
# version and cached outside the work tree, keyed by version: a fresh clone on a warm machine copies
# it in a second instead of rebuilding (~3 minutes cold on 2 cores).
#
# Usage: hack/helm.sh [BIN_DIR]   (prints the path of the helm binary)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin_dir=${1:-"$here/../bin"}
helm_version=v4.3.1
cache_root=${ZONEKEEPER_CACHE:-"${XDG_CACHE_HOME:-$HOME/.cache}/zonekeeper"}
cache_dir="$cache_root/helm/$helm_version"

have() { [[ -x "$1/helm" && -f "$1/.helm-stamp" && "$(cat "$1/.helm-stamp")" == "$helm_version" ]]; }

if have "$bin_dir"; then
  echo "$bin_dir/helm"; exit 0
fi

if ! have "$cache_dir"; then
  echo ">> building helm $helm_version (cold: ~3 min on 2 cores)" >&2
  tmp="$cache_dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # Outside this module, so helm's dependencies never enter go.mod.
  (cd "$tmp" && CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$tmp" go install -trimpath -ldflags "-s -w" \
    "helm.sh/helm/v4/cmd/helm@$helm_version")
  echo "$helm_version" > "$tmp/.helm-stamp"
  rm -rf "$cache_dir"; mkdir -p "$(dirname "$cache_dir")"; mv "$tmp" "$cache_dir"
fi

mkdir -p "$bin_dir"
cp -f "$cache_dir/helm" "$bin_dir/helm"
cp -f "$cache_dir/.helm-stamp" "$bin_dir/.helm-stamp"
echo "$bin_dir/helm"
