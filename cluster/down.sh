#!/usr/bin/env bash
# Stops everything cluster/up.sh started for this checkout and removes its state. Safe to run twice.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

stop_daemon chart-server
stop_daemon registry
if [ -d "$KWOK_WORKDIR/clusters/$cluster_name" ]; then
  kwokctl delete cluster --name "$cluster_name" --kubeconfig "$state/kubeconfig" >/dev/null 2>&1 \
    || kwokctl delete cluster --name "$cluster_name" --kubeconfig "$state/kubeconfig" --force >/dev/null 2>&1
fi
# kwokctl's binary runtime records each component's pid; make sure none outlived the delete.
for pidfile in "$KWOK_WORKDIR"/clusters/"$cluster_name"/pids/*.pid; do
  [ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null
done
rm -rf "$state"
log "down"
