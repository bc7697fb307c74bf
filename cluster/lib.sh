# Shared paths for the cluster scripts. Sourced, never run.
#   HELMCYCLE_CACHE  binaries, shared by every checkout on the machine (default ~/.cache/helmcycle)
#   HELMCYCLE_STATE  this checkout's running cluster: kubeconfig, pids, logs (default <repo>/.cache/cluster);
#                    another folder is another cluster (cluster/fleet.sh starts extra ones)
#   HELMCYCLE_CLUSTER_ONLY=1  up.sh starts the cluster alone, without the chart repository and registry
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${HELMCYCLE_CACHE:-$HOME/.cache/helmcycle}
bin=$cache/bin
state=${HELMCYCLE_STATE:-$root/.cache/cluster}
# Each state folder is a cluster of its own (the fleet tests start several): the default one keeps the
# name 'helmcycle', any other is named after its folder and a hash of its path, so two never share a
# name (kubeconfig contexts are kwok-<name>). Ports are always chosen free by the kernel.
if [ "$state" = "$root/.cache/cluster" ]; then
  cluster_name=helmcycle
else
  cluster_name=helmcycle-$(basename "$state" | tr -c 'a-z0-9\n' '-' | cut -c1-20)-$(printf '%s' "$state" | cksum | cut -c1-6)
fi
env_file=$state/env
export KWOK_WORKDIR=$state/kwok
export PATH=$bin:$PATH

log() { printf '[cluster] %s\n' "$*" >&2; }

# A free TCP port on loopback, chosen by the kernel.
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# Waits until a command succeeds, or fails after $1 seconds.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}

# Waits until a command succeeds or the absolute deadline ($2, in $SECONDS) passes, saying every 30 s
# what it still waits for, so a slow start on a loaded machine reads as slow, not as hung.
wait_patiently() {
  local what=$1 deadline=$2 next_note=$((SECONDS + 30)); shift 2
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge "$deadline" ]; then log "gave up waiting for $what"; return 1; fi
    if [ $SECONDS -ge $next_note ]; then log "still waiting for $what ($((deadline - SECONDS))s left)"; next_note=$((SECONDS + 30)); fi
    sleep 1
  done
}

# Succeeds when at least $1 nodes report Ready.
nodes_ready() {
  local ready
  ready=$(kubectl get nodes --no-headers 2>/dev/null | awk '$2 == "Ready"' | wc -l)
  [ "$ready" -ge "$1" ]
}

# Starts a detached background process whose pid lands in $state/pids/$1.pid and output in $state/logs.
start_daemon() {
  local name=$1; shift
  mkdir -p "$state/pids" "$state/logs"
  setsid "$@" >"$state/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$state/pids/$name.pid"
}

stop_daemon() {
  local file=$state/pids/$1.pid pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}
