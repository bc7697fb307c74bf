#!/usr/bin/env bash
# Starts helmcycle's local control plane and chart sources on free loopback ports:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (through kwokctl's binary
#   runtime), fake nodes that go Ready, an HTTP chart repository and an OCI registry holding the fixture
#   charts. Writes $HELMCYCLE_STATE/env (source it, or run `npm run cluster:env`). Idempotent: when the
#   cluster is already up and answering, it does nothing.
#
# HELMCYCLE_EXISTING_KUBECONFIG=path uses that cluster instead of starting one (chart sources still start).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$root/cluster/versions.sh"

nodes=${HELMCYCLE_NODES:-2}
# How long start-up may take. On a loaded 2-core machine the API server and the fake nodes can take
# minutes to answer; each wait below shares this budget and says what it still waits for.
start_timeout=${HELMCYCLE_START_TIMEOUT:-600}

if [ -f "$env_file" ]; then
  (. "$env_file"; kubectl get --raw /readyz >/dev/null 2>&1 && { [ -z "${HELMCYCLE_CHART_REPO_URL:-}" ] || curl -fsS "$HELMCYCLE_CHART_REPO_URL/index.yaml" >/dev/null; }) \
    && { log "already up; env in $env_file (npm run -s cluster:env prints it)"; exit 0; }
  log "stale state found; tearing it down first"
  bash "$root/cluster/down.sh"
fi

started=$SECONDS
bash "$root/cluster/build.sh" all
bash "$root/cluster/install-helm.sh"
log "binaries ready in $((SECONDS - started))s"

umask 077   # the kubeconfig and credentials below are private to this user
mkdir -p "$state"
[ -d "$root/node_modules/tsx" ] || { log "node_modules missing: run npm ci first"; exit 1; }

# Anything that fails from here on tears down what was started, so no stray process is left behind.
trap 'log "start-up failed; see $state/logs"; bash "$root/cluster/down.sh"' ERR

if [ -n "${HELMCYCLE_EXISTING_KUBECONFIG:-}" ]; then
  kubeconfig=$HELMCYCLE_EXISTING_KUBECONFIG
  log "using the existing cluster of $kubeconfig"
else
  kubeconfig=$state/kubeconfig
  apiserver_port=$(free_port)
  cat > "$state/kwokctl.yaml" <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeApiserverPort: $apiserver_port
  kubeVersion: $KUBE_VERSION
  etcdVersion: ${ETCD_VERSION#v}
  kwokVersion: $KWOK_VERSION
  etcdBinary: $bin/etcd
  kubeApiserverBinary: $bin/kube-apiserver
  kubeControllerManagerBinary: $bin/kube-controller-manager
  kubeSchedulerBinary: $bin/kube-scheduler
  kwokControllerBinary: $bin/kwok
  kubectlBinary: $bin/kubectl
  nodeLeaseDurationSeconds: 40
componentsPatches:
  # The API server's default Service range is a /24: about 250 Services, which a full e2e run (every
  # test installs charts with Services, in namespaces of its own) can use up. A /16 leaves room.
  - name: kube-apiserver
    extraArgs:
      - key: service-cluster-ip-range
        value: 10.96.0.0/16
  # One scheduler and one controller manager, so no leader election: with it, an API server that stalls
  # for 10 s (a pause the reliability suite provokes, a loaded machine) makes them miss their lease
  # renewal, and the scheduler then exits for good ("Leaderelection lost"): no pod is scheduled again.
  - name: kube-scheduler
    extraArgs:
      - key: leader-elect
        value: "false"
  - name: kube-controller-manager
    extraArgs:
      - key: leader-elect
        value: "false"
---
# kwok runs no containers; it serves every pod's logs from one canned file, so the logs API answers
# with real output that diagnostics and the Job runner read and stream.
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: canned-container-logs
spec:
  selector: {}
  logs:
    - containers: []
      logsFile: $root/cluster/container.log
      follow: false
EOF
  log "creating the cluster (kube-apiserver on 127.0.0.1:$apiserver_port)"
  # kwokctl logs JSON lines; keep them in the state folder and show them only when something fails.
  mkdir -p "$state/logs"
  kwokctl_log=$state/logs/kwokctl.log
  if ! { kwokctl create cluster --name "$cluster_name" --config "$state/kwokctl.yaml" \
           --config "$root/cluster/kwok-stages.yaml" --kubeconfig "$kubeconfig" --wait "${start_timeout}s" \
         && kwokctl scale node --name "$cluster_name" --replicas "$nodes"; } >>"$kwokctl_log" 2>&1; then
    tail -n 30 "$kwokctl_log" >&2
    log "kwokctl failed; its log is $kwokctl_log"
    exit 1
  fi
  export KUBECONFIG=$kubeconfig
  deadline=$((SECONDS + start_timeout))
  wait_patiently "the API server's /readyz" "$deadline" kubectl get --raw /readyz
  # `kubectl wait --all` fails at once while no node is registered yet: count the Ready ones instead.
  wait_patiently "$nodes Ready nodes" "$deadline" nodes_ready "$nodes"
  # The service account controller creates "default" asynchronously; pods need it.
  wait_patiently 'the default service account' "$deadline" kubectl get serviceaccount default -n default
  log "cluster ready: $(kubectl get nodes --no-headers | wc -l) nodes Ready"
fi

if [ "${HELMCYCLE_CLUSTER_ONLY:-}" = 1 ]; then
  # An extra cluster of a fleet: charts come from the first cluster's sources (or local paths).
  printf 'export KUBECONFIG=%s\nexport PATH=%s:$PATH\n' "$kubeconfig" "$bin" > "$env_file"
  trap - ERR
  log "cluster $cluster_name up in $((SECONDS - started))s; env in $env_file"
  exit 0
fi

# Chart sources: package every fixture chart (web also at later versions, to exercise upgrades).
charts=$state/charts
rm -rf "$charts"; mkdir -p "$charts/private"
fixtures=$root/test/fixtures/charts
for chart in "$fixtures"/*/; do helm4 package "$chart" -d "$charts" >/dev/null; done
for version in 1.1.0 2.0.0; do helm4 package "$fixtures/web" --version "$version" -d "$charts" >/dev/null; done
cp "$charts"/web-1.0.0.tgz "$charts/private/"
chart_port=$(free_port)
repo_url=http://127.0.0.1:$chart_port
helm4 repo index "$charts" --url "$repo_url"
helm4 repo index "$charts/private" --url "$repo_url/private"
chart_auth_user=helmcycle
chart_auth_password=$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')
CHART_SERVER_AUTH="$chart_auth_user:$chart_auth_password" \
  start_daemon chart-server node --import "$root/node_modules/tsx/dist/esm/index.mjs" \
  "$root/cluster/chart-server.ts" "$charts" "$chart_port"
wait_for 30 curl -fsS "$repo_url/index.yaml"

registry_port=$(free_port)
mkdir -p "$state/registry"
cat > "$state/registry.yaml" <<EOF
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $state/registry }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$registry_port }
EOF
OTEL_TRACES_EXPORTER=none start_daemon registry registry serve "$state/registry.yaml"
wait_for 30 curl -fsS "http://127.0.0.1:$registry_port/v2/"
for pkg in "$charts"/*.tgz; do
  helm4 push "$pkg" "oci://127.0.0.1:$registry_port/charts" --plain-http >/dev/null 2>&1
done
log "chart repository at $repo_url, OCI registry at oci://127.0.0.1:$registry_port/charts"

cat > "$env_file" <<EOF
export KUBECONFIG=$kubeconfig
export HELMCYCLE_HELM3=$bin/helm3
export HELMCYCLE_HELM4=$bin/helm4
export HELMCYCLE_CHART_REPO_URL=$repo_url
export HELMCYCLE_PRIVATE_CHART_REPO_URL=$repo_url/private
export HELMCYCLE_CHART_REPO_USER=$chart_auth_user
export HELMCYCLE_CHART_REPO_PASSWORD=$chart_auth_password
export HELMCYCLE_OCI_REGISTRY=oci://127.0.0.1:$registry_port/charts
export PATH=$bin:\$PATH
EOF
trap - ERR
# The env holds the chart repository's password, so it is not printed here (CI logs are public).
log "up in $((SECONDS - started))s; env in $env_file (npm run -s cluster:env prints it)"
