#!/usr/bin/env bash
# Runs the three toolkit examples in turn against the cluster in KUBECONFIG; stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
for example in adopt-daemonset operator-crds reinstall-keep-secret; do
  node --import tsx "examples/toolkit/$example.ts"
done
