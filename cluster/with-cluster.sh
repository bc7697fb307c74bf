#!/usr/bin/env bash
# Runs a command against the local cluster: starts it when it is not up, and tears down afterwards
# only what this call started (a cluster someone brought up with cluster:up stays up).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# The fleet tests also need extra clusters (cluster/fleet.sh): HELMCYCLE_FLEET_CLUSTERS of them, 2 by
# default, 0 for none. They are started and stopped the same way, only when this call started them.
fleet_state=${HELMCYCLE_FLEET_STATE:-$(dirname "$state")/fleet}
fleet_count=${HELMCYCLE_FLEET_CLUSTERS:-2}
owned=false
fleet_owned=false
if [ ! -f "$env_file" ]; then owned=true; fi
if [ "$fleet_count" -gt 0 ] && [ ! -f "$fleet_state/env" ]; then fleet_owned=true; fi
teardown() {
  $fleet_owned && HELMCYCLE_FLEET_STATE=$fleet_state bash "$root/cluster/fleet.sh" down
  $owned && bash "$root/cluster/down.sh"
  return 0
}
trap teardown EXIT
bash "$root/cluster/up.sh" >/dev/null || exit 1
if [ "$fleet_count" -gt 0 ]; then HELMCYCLE_FLEET_STATE=$fleet_state bash "$root/cluster/fleet.sh" up "$fleet_count" >/dev/null || exit 1; fi
trap 'exit 130' INT TERM
. "$env_file"
if [ "$fleet_count" -gt 0 ]; then . "$fleet_state/env"; fi
"$@"
