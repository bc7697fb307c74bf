// The optional notification of a failed or changed run: a JSON POST whose `text` a Slack incoming webhook
// (and most chat webhooks) shows as it is, with the run attached for other receivers. Masked, retried
// with backoff a few times, and never awaited by the loop.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Masker } from '../secrets/masker.js';
import { backoffDelay } from '../retry/transient.js';
import type { ReconcileRun } from './types.js';

const ATTEMPTS = 4;

/** The message's text. Pure. */
export function notificationText(run: ReconcileRun, stack: string | undefined): string {
  const name = stack ?? 'stack';
  const rev = run.revision.slice(0, 12);
  if (run.error) return `helmcycle reconcile ${name}: the source could not be read at ${rev}: ${run.error}`;
  const failed = run.charts.filter((c) => c.status === 'failed');
  const changed = run.charts.filter((c) => c.status === 'succeeded' && (c.changed || c.driftRepaired));
  const lines = [`helmcycle reconcile ${name} at ${rev} (${run.trigger}): ${failed.length ? `${failed.length} chart(s) FAILED` : 'applied'}`];
  for (const c of failed) lines.push(`• ${c.name} failed [${c.failureClass ?? 'other'}]: ${c.message ?? ''}`);
  for (const c of changed) lines.push(`• ${c.name} ${c.changed ? 'changed' : ''}${c.driftRepaired ? `${c.changed ? ', ' : ''}${c.driftRepaired} drifted object(s) put back` : ''}`);
  return lines.join('\n');
}

export async function notify(url: string, run: ReconcileRun, stack: string | undefined, masker: Masker, log: (line: string) => void, deps: { send?: typeof fetch; sleep?: (ms: number) => Promise<unknown> } = {}): Promise<boolean> {
  const send = deps.send ?? fetch;
  const wait = deps.sleep ?? sleep;
  const body = masker.mask(JSON.stringify({ text: notificationText(run, stack), stack, revision: run.revision, ok: run.ok, charts: run.charts.map(({ name, status, changed, failureClass }) => ({ name, status, changed, ...(failureClass ? { failureClass } : {}) })) }));
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const response = await send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
      if (response.ok) return true;
      // A 4xx other than 429 will not get better by asking again.
      if (response.status < 500 && response.status !== 429) break;
    } catch {
      // the network: tried again
    }
    if (attempt < ATTEMPTS) await wait(backoffDelay(attempt, { initialMs: 1_000, factor: 2, maxMs: 30_000, jitter: 0.2 }, Math.random()));
  }
  log('reconcile: the notification could not be sent (--notify-url)');
  return false;
}
