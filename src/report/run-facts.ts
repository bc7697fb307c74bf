// The run's facts at the top of the report: when, what was typed, against which cluster, with which
// tools. The caller passes what the run already knew (nothing here asks a server or a binary); a fact
// the run never learnt is shown as not known. Never a credential: a kubeconfig's path and context name,
// and the server's URL without any user or query part. Pure.
import { serverUrlWithoutCredentials } from '../kube/server-url.js';
import { escapeXml } from './escape.js';

export interface RunFacts {
  /** The command line, as typed (masked by the caller like every other output). */
  command?: string;
  kubeconfig?: string;
  kubeContext?: string;
  /** The API server's URL. */
  server?: string;
  clusterVersion?: string;
  helmVersion?: string;
  helmcycleVersion?: string;
}

/** A server URL without what could be a credential (user, password, query, fragment); undefined if unparsable. */
export function safeServerUrl(server: string | undefined): string | undefined {
  return server ? serverUrlWithoutCredentials(server) : undefined;
}

/** "2025-12-02 08:15:03 UTC": one zone for every reader of a shared report. */
export function formatRunDate(at: number): string {
  return `${new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}

/** A fact the run never learnt (it stopped before asking, or the caller did not say). */
const NOT_KNOWN = 'not known';

/** The facts as a definition list, in a fixed order; `startedAt` is the run's first event. */
export function renderFacts(facts: RunFacts, startedAt: number | undefined): string {
  const entries: [string, string | undefined][] = [
    ['date', startedAt === undefined ? undefined : formatRunDate(startedAt)],
    ['command', facts.command],
    ['kubeconfig', facts.kubeconfig],
    ['kube context', facts.kubeContext],
    ['API server', safeServerUrl(facts.server)],
    ['cluster version', facts.clusterVersion],
    ['helm version', facts.helmVersion],
    ['helmcycle version', facts.helmcycleVersion],
  ];
  const items = entries.map(([term, value]) => `<dt>${term}</dt><dd${value === undefined ? ' class="unknown"' : ''}>${escapeXml(value ?? NOT_KNOWN)}</dd>`);
  return `<dl class="facts">${items.join('')}</dl>`;
}
