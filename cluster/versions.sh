# Pinned versions of everything the local control plane runs. Bumping one rebuilds only that binary.
KUBE_VERSION=v1.34.4          # must match cluster/go/kube/go.mod
ETCD_VERSION=v3.6.16          # must match cluster/go/etcd/go.mod
KWOK_VERSION=v0.7.0           # v0.8.0 needs Go 1.26.0 exactly
REGISTRY_VERSION=v3.1.2       # github.com/distribution/distribution/v3, the OCI registry
