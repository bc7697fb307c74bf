#!/usr/bin/env bash
# Extra local clusters for the fleet tests, each with a state folder of its own (see lib.sh):
#   bash cluster/fleet.sh up [N]   starts N (default HELMCYCLE_FLEET_CLUSTERS or 2) clusters, one after
#                                   the other (a 2-core machine starts one at a time best), and writes
#                                   $HELMCYCLE_FLEET_STATE/env with HELMCYCLE_FLEET_KUBECONFIGS (colon-separated)
#   bash cluster/fleet.sh down     stops every cluster under $HELMCYCLE_FLEET_STATE and removes it
# HELMCYCLE_FLEET_STATE defaults to <state>/../fleet, beside this checkout's own cluster, never inside it:
# down.sh of the main cluster removes its folder, and the fleet has its own lifetime.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fleet_state=${HELMCYCLE_FLEET_STATE:-$(dirname "$state")/fleet}
count=${2:-${HELMCYCLE_FLEET_CLUSTERS:-2}}

case "${1:-}" in
  up)
    mkdir -p "$fleet_state"
    kubeconfigs=()
    for i in $(seq 1 "$count"); do
      HELMCYCLE_STATE=$fleet_state/cluster-$i HELMCYCLE_CLUSTER_ONLY=1 HELMCYCLE_NODES=1 bash "$root/cluster/up.sh"
      kubeconfigs+=("$fleet_state/cluster-$i/kubeconfig")
    done
    (IFS=:; printf 'export HELMCYCLE_FLEET_KUBECONFIGS=%s\n' "${kubeconfigs[*]}") > "$fleet_state/env"
    log "fleet of $count extra cluster(s) up; env in $fleet_state/env"
    ;;
  down)
    for dir in "$fleet_state"/cluster-*/; do
      [ -d "$dir" ] && HELMCYCLE_STATE=${dir%/} bash "$root/cluster/down.sh"
    done
    rm -rf "$fleet_state"
    ;;
  *)
    echo "usage: cluster/fleet.sh up [N] | down" >&2
    exit 2
    ;;
esac
