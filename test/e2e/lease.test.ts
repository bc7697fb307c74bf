// The release lease against the real API server: of runs racing for it exactly one wins, a live holder
// makes the others wait and then refuse, a released lease is free at once, and a holder that died on
// this machine is taken over without waiting for the lease to run out.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { leaseName, LEASE_API_VERSION, newRunIdentity, readLease } from '../../src/lease/lease-record.js';
import { acquireReleaseLease, inspectLease, LeaseHeldError } from '../../src/lease/release-lease.js';
import { helmsUnderTest, uniqueNamespace } from './support.js';

const { kube } = helmsUnderTest()[0]!;

async function namespace(): Promise<string> {
  const name = uniqueNamespace('lease');
  await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

describe('release leases', () => {
  it('lets exactly one of several racing runs take the lease; the others wait, then refuse naming the holder', async () => {
    const ns = await namespace();
    const runs = [0, 1, 2].map((i) => newRunIdentity(`helmcycle apply #${i}`));
    const results = await Promise.allSettled(runs.map((self) => acquireReleaseLease({ kube, release: 'web', namespace: ns, self, lockTimeoutMs: 3_000, pollMs: 200 })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.equal(refused.length, 2);
    const holder = readLease((await kube.getObject({ apiVersion: LEASE_API_VERSION, kind: 'Lease', name: leaseName('web'), namespace: ns }))!).holder!;
    for (const r of refused) {
      assert.ok(r.reason instanceof LeaseHeldError, String(r.reason));
      assert.match(r.reason.message, new RegExp(`${holder.command.replace('#', '\\#')}.*pid ${holder.pid}.*run ${holder.runId}`));
    }
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireReleaseLease>>>).value!.release();
    const after = await inspectLease(kube, 'web', ns, runs[0]!);
    assert.equal(after.state.kind, 'absent');
    await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  it('a waiting run gets the lease as soon as the holder gives it back', async () => {
    const ns = await namespace();
    const first = await acquireReleaseLease({ kube, release: 'web', namespace: ns, self: newRunIdentity('first'), lockTimeoutMs: 1_000 });
    const messages: string[] = [];
    const second = acquireReleaseLease({ kube, release: 'web', namespace: ns, self: newRunIdentity('second'), lockTimeoutMs: 30_000, pollMs: 200, onWait: (m) => messages.push(m) });
    await new Promise((r) => setTimeout(r, 1_000));
    await first!.release();
    const held = await second;
    assert.ok(held);
    assert.match(messages[0] ?? '', /waiting for the lease of .*: held by first/);
    assert.equal(held.previous, undefined, 'a lease given back is not a dead holder');
    await held.release();
    await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  it('takes over at once the lease of a run that died on this machine, and says whose it was', async () => {
    const ns = await namespace();
    // A real process takes the lease and is killed with SIGKILL: it never gives the lease back.
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { acquireReleaseLease } = await import('./src/lease/release-lease.ts');
      const { newRunIdentity } = await import('./src/lease/lease-record.ts');
      const { createClients } = await import('./src/clients.ts');
      await acquireReleaseLease({ kube: createClients().kube, release: 'web', namespace: '${ns}', self: newRunIdentity('doomed apply'), lockTimeoutMs: 1000 });
      console.log('held'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
      child.on('exit', (code) => reject(new Error(`the holder exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const self = newRunIdentity('next apply');
    assert.equal((await inspectLease(kube, 'web', ns, self)).state.kind, 'expired');
    const started = Date.now();
    const held = await acquireReleaseLease({ kube, release: 'web', namespace: ns, self, lockTimeoutMs: 5_000 });
    assert.ok(held);
    assert.ok(Date.now() - started < 5_000, 'it did not wait for the lease to run out');
    assert.equal(held.previous?.holder?.command, 'doomed apply');
    await held.release();
    await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });
});
