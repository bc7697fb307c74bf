// Which stored revision helm upgrades (and rolls back) from: helm's "current release", whose manifest
// it must build into objects before anything else, and so the one whose removed APIs fail the upgrade
// ("unable to build kubernetes objects from current release manifest"). helm's own rule (action/
// upgrade.go): the latest revision when it is deployed; else the latest deployed one; else the latest
// (a release that never deployed). Pure.

export interface StoredRevision {
  revision: number;
  status: string;
}

export function currentRevisionOf<R extends StoredRevision>(revisions: readonly R[]): R | undefined {
  const sorted = [...revisions].sort((a, b) => a.revision - b.revision);
  const latest = sorted.at(-1);
  if (!latest || latest.status === 'deployed') return latest;
  return sorted.filter((r) => r.status === 'deployed').at(-1) ?? latest;
}
