#!/usr/bin/env bash
# The README's first command runs this against the local cluster: plan, apply (with an HTML report),
# status, then a second plan that shows the stack has converged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export HELMCYCLE_HELM=${HELMCYCLE_HELM:-${HELMCYCLE_HELM4:-helm}}
helmcycle() { node "$here/../../bin/helmcycle.mjs" -c "$here/helmcycle.config.ts" "$@"; }
report=${HELMCYCLE_DEMO_REPORT:-$here/../../.cache/demo-report.html}
mkdir -p "$(dirname "$report")"

echo "== plan"; helmcycle plan
echo "== apply"; helmcycle apply --report "$report"
echo "== status"; helmcycle status
echo "== plan again (nothing should change)"; helmcycle plan
echo "report: $report"
