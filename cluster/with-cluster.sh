#!/usr/bin/env bash
# Runs a command against the local cluster: starts it when it is not up, and tears down afterwards
# only what this call started (a cluster someone brought up with cluster:up stays up).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

owned=false
if [ ! -f "$env_file" ]; then owned=true; fi
bash "$root/cluster/up.sh" >/dev/null || exit 1
$owned && trap 'bash "$root/cluster/down.sh"' EXIT
trap 'exit 130' INT TERM
. "$env_file"
"$@"
