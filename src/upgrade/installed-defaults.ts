// The defaults (values.yaml) of the chart version a release runs now, as helm stored them in the release
// record (the `chart.values` of the revision helm upgrades from): a moved or removed key is told against
// these. Read only on a version change; undefined where helm keeps records helmcycle cannot read.
import { decodeReleaseRecord, isReleaseRecord, recordSelector, storageDriverOf, storageKind } from '../helm/release-storage.js';
import type { KubeClient } from '../kube/types.js';
import { currentRevisionOf } from './current-revision.js';
import { releaseJsonOf } from './release-record.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function installedDefaults(kube: Pick<KubeClient, 'listByLabels'>, release: { name: string; namespace: string }, helmDriver = process.env.HELM_DRIVER): Promise<Record<string, unknown> | undefined> {
  const driver = storageDriverOf(helmDriver);
  if (!driver) return undefined;
  const records = (await kube.listByLabels('v1', storageKind(driver), release.namespace, recordSelector(release.name))).filter((o) => isReleaseRecord(o, driver));
  const current = currentRevisionOf(records.map((object) => ({ object, ...decodeReleaseRecord(object, driver) })));
  if (!current) return undefined;
  const chart = releaseJsonOf(current.object, driver).chart;
  return isObject(chart) && isObject(chart.values) ? chart.values : undefined;
}
