#!/usr/bin/env bash
# Builds (once per machine) every binary the local control plane needs, into a cache folder outside
# the work tree so that fresh clones on the same machine reuse it. Each binary is built only when its
# stamped copy is missing, so a warm run costs a few stat calls.
#
#   HELMCYCLE_CACHE  cache root (default: ~/.cache/helmcycle); binaries land in $HELMCYCLE_CACHE/bin
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

cache=${HELMCYCLE_CACHE:-$HOME/.cache/helmcycle}
bin=$cache/bin
mkdir -p "$bin"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

log() { printf '[cluster:build] %s\n' "$*" >&2; }

# A stamp file per binary records the version it was built from, so a version bump rebuilds it.
fresh() { [ -x "$bin/$1" ] && [ "$(cat "$bin/.$1.version" 2>/dev/null)" = "$2" ]; }
stamp() { printf '%s' "$2" > "$bin/.$1.version"; }

build_kube() {
  local todo=() c
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    fresh "$c" "$KUBE_VERSION" || todo+=("k8s.io/kubernetes/cmd/$c")
  done
  [ ${#todo[@]} -eq 0 ] && return
  log "building ${todo[*]} ($KUBE_VERSION); cold this takes 15-25 minutes on 2 cores"
  local minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
  local ld="" pkg
  # Without the version stamp the server reports v0.0.0-master and helm rejects kubeVersion constraints.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  (cd "$here/go/kube" && go build -trimpath -ldflags "-s -w$ld" -o "$bin/" "${todo[@]}")
  for c in kube-apiserver kube-controller-manager kube-scheduler; do stamp "$c" "$KUBE_VERSION"; done
}

build_etcd() {
  fresh etcd "$ETCD_VERSION" && return
  log "building etcd $ETCD_VERSION"
  (cd "$here/go/etcd" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3)
  stamp etcd "$ETCD_VERSION"
}

# Modules without replace directives install directly at a pinned version.
go_install() { # name package version
  fresh "$1" "$3" && return
  log "building $1 $3"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w" "$2@$3"
  stamp "$1" "$3"
}

case "${1:-all}" in
  kube) build_kube ;;
  etcd) build_etcd ;;
  kwok) go_install kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
        go_install kwokctl sigs.k8s.io/kwok/cmd/kwokctl "$KWOK_VERSION" ;;
  registry) go_install registry github.com/distribution/distribution/v3/cmd/registry "$REGISTRY_VERSION" ;;
  all)
    build_etcd
    go_install kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
    go_install kwokctl sigs.k8s.io/kwok/cmd/kwokctl "$KWOK_VERSION"
    go_install registry github.com/distribution/distribution/v3/cmd/registry "$REGISTRY_VERSION"
    build_kube ;;
  *) echo "usage: $0 [all|kube|etcd|kwok|registry]" >&2; exit 2 ;;
esac
