// Which failed helm commands may be run again when they failed transiently (retry/transient.ts). Pure.
//
// Reads (version, get, status, history, list, show, pull), local renders (template), logins into a
// private config (repo add, registry login) and dry runs change nothing in the cluster, so they may be
// repeated whatever went wrong. An upgrade (or the install of `upgrade --install`) may only be repeated
// when helm failed before it wrote anything, which its message tells:
//   - "Kubernetes cluster unreachable": the reachability check (a GET of /version) that Helm 3 and Helm 4
//     run first in install, upgrade and history, before any release record is read or written;
//   - "query: failed to query with labels" with no "UPGRADE FAILED" / "INSTALLATION FAILED" around it:
//     `upgrade --install` reading the release history to choose between install and upgrade, which is
//     printed bare; once helm has chosen and started, its errors carry one of those prefixes.
// Anything else (a timeout while waiting, an error after the pending-* record was written) may have
// changed the cluster, and is left to the lifecycle (recovery, remedies), never repeated blindly.
// Uninstall and rollback are never repeated here.

const READ_ONLY = new Set(['version', 'get', 'status', 'history', 'list', 'show', 'template', 'pull', 'search', 'repo', 'registry']);

function isDryRun(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--dry-run' || arg.startsWith('--dry-run='));
}

export function repeatableAfter(argv: readonly string[], stderr: string): boolean {
  const command = argv[0] ?? '';
  if (READ_ONLY.has(command)) return true;
  if (command === 'upgrade' || command === 'install') {
    if (isDryRun(argv)) return true;
    if (/Kubernetes cluster unreachable/i.test(stderr)) return true;
    return /query: failed to query with labels/i.test(stderr) && !/(UPGRADE|INSTALLATION) FAILED/i.test(stderr);
  }
  return false;
}
