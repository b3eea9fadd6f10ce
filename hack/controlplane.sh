#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver and etcd) from the Go module proxy into bin/.
#
# No download site is reachable from our machines, so envtest's usual binary download is not an
# option. The binaries are built from hack/controlplane (a module of its own) at pinned versions and
# cached outside the work tree, keyed by version, so a fresh clone on a warm machine links them in
# seconds instead of rebuilding (~10 minutes cold on 2 cores; kube-apiserver needs ~2.5 GB to link).
#
# Usage: hack/controlplane.sh [BIN_DIR]   (prints the directory holding the binaries)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin_dir=${1:-"$here/../bin/controlplane"}
k8s_version=v1.37.2
etcd_version=v3.7.0
key="k8s-${k8s_version}-etcd-${etcd_version}"
cache_root=${ZONEKEEPER_CACHE:-"${XDG_CACHE_HOME:-$HOME/.cache}/zonekeeper"}
cache_dir="$cache_root/controlplane/$key"

have() { [[ -x "$1/kube-apiserver" && -x "$1/etcd" && -f "$1/.stamp" && "$(cat "$1/.stamp")" == "$key" ]]; }

if have "$bin_dir"; then
  echo "$bin_dir"; exit 0
fi

if ! have "$cache_dir"; then
  echo ">> building kube-apiserver $k8s_version and etcd $etcd_version (cold: ~10 min on 2 cores)" >&2
  tmp="$cache_dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # The version ldflags matter: a kube-apiserver that reports v0.0.0 cannot work out its emulation
  # and compatibility versions.
  minor=${k8s_version#v1.}; minor=${minor%%.*}
  ldflags="-s -w \
    -X k8s.io/component-base/version.gitVersion=${k8s_version} \
    -X k8s.io/component-base/version.gitMajor=1 \
    -X k8s.io/component-base/version.gitMinor=${minor} \
    -X k8s.io/component-base/version.gitTreeState=clean \
    -X k8s.io/client-go/pkg/version.gitVersion=${k8s_version} \
    -X k8s.io/client-go/pkg/version.gitMajor=1 \
    -X k8s.io/client-go/pkg/version.gitMinor=${minor}"
  (
    cd "$here/controlplane"
    export CGO_ENABLED=0 GOFLAGS=-mod=mod
    go build -trimpath -ldflags "$ldflags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
    go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" ./etcd
  )
  echo "$key" > "$tmp/.stamp"
  rm -rf "$cache_dir"; mv "$tmp" "$cache_dir"
fi

mkdir -p "$bin_dir"
cp -f "$cache_dir/kube-apiserver" "$cache_dir/etcd" "$bin_dir/"
cp -f "$cache_dir/.stamp" "$bin_dir/.stamp"
echo "$bin_dir"
