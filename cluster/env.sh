#!/usr/bin/env bash
# Prints the env of the running local cluster: `eval "$(npm run -s cluster:env)"`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -f "$env_file" ] || { log "no cluster is up for this checkout: run npm run cluster:up"; exit 1; }
cat "$env_file"
