// What helm would misread or refuse in a converted chart. A chart reference, version, repository or
// values file that starts with '-' reads as a flag on helm's command line (`--post-renderer=./evil.sh`);
// a namespace that is not a DNS-1123 label never names a Kubernetes namespace. The import refuses such a
// helmfile (exit 2, naming the release and the field) rather than write a stack that carries them. Pure.
import type { SpecIssue } from '../errors.js';
import type { StackChartData } from './convert-release.js';
import { shown } from './quote.js';

/** A Kubernetes namespace name: a DNS-1123 label. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const FLAG_LIKE = "starts with '-', so helm would read it as a flag";

/** Where a chart's field came from in the helmfile. */
const SOURCE: Record<string, string> = { name: 'name', namespace: 'namespace', chart: 'chart', repository: 'chart', version: 'version', valuesFiles: 'values', secretValuesFiles: 'secrets' };

/** The issues of one converted release, in one environment; `field` is the release's path (`releases[2]`). */
export function helmInputIssues(chart: StackChartData, field: string, environment: string): SpecIssue[] {
  const where = `release '${shown(String(chart.name), 80)}'${environment === 'default' ? '' : ` in environment '${environment}'`}`;
  const issues: SpecIssue[] = [];
  const flagLike = (key: string, value: unknown, label = key) => {
    if (typeof value === 'string' && value.startsWith('-')) issues.push({ field: `${field}.${SOURCE[key]!}`, message: `${where}: the ${label} '${shown(value, 80)}' ${FLAG_LIKE}` });
  };
  flagLike('name', chart.name, 'release name');
  flagLike('chart', chart.chart, 'chart');
  flagLike('repository', chart.repository, 'repository URL');
  flagLike('version', chart.version);
  for (const file of (chart.valuesFiles as unknown[] | undefined) ?? []) flagLike('valuesFiles', file, 'values file');
  for (const file of (chart.secretValuesFiles as unknown[] | undefined) ?? []) flagLike('secretValuesFiles', file, 'secrets file');
  const namespace = chart.namespace;
  if (namespace !== undefined && !(typeof namespace === 'string' && namespace.length <= 63 && DNS_LABEL.test(namespace))) {
    issues.push({ field: `${field}.namespace`, message: `${where}: the namespace '${shown(String(namespace), 80)}' is not a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters), which Kubernetes requires` });
  }
  return issues;
}
