// The drift watch: a spec change (new generation) to an object a release of the stack owns triggers one
// debounced run; status-only changes, objects of other releases, and reconcile's own writes (during a
// run, or within the settle time after it) do not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, WatchEvent, WatchFrom } from '../../src/kube/types.js';
import { DriftWatch, isDrift, type Seen } from '../../src/reconcile/drift-watch.js';
import { FakeKube } from './fakes.js';

const deployment = (name: string, release: string, generation: number, resourceVersion = String(generation), manager = 'kubectl'): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, generation, resourceVersion, annotations: { 'meta.helm.sh/release-name': release }, managedFields: [{ manager: 'helm', time: '2026-01-01T00:00:00Z' }, { manager, time: `2026-01-01T00:00:${String(generation).padStart(2, '0')}Z` }] },
});

describe('reconcile drift watch', () => {
  it('tells a hand change to a release object from a status update and from other releases', () => {
    const seen = new Map<string, Seen>();
    const ours = new Set(['web']);
    assert.equal(isDrift({ type: 'ADDED', object: deployment('web', 'web', 1) }, ours, seen), false);
    assert.equal(isDrift({ type: 'MODIFIED', object: deployment('web', 'web', 1, '7') }, ours, seen), false, 'status only');
    assert.equal(isDrift({ type: 'MODIFIED', object: deployment('web', 'web', 2) }, ours, seen), true, 'kubectl scale');
    assert.equal(isDrift({ type: 'ADDED', object: deployment('other', 'by-hand', 1) }, ours, seen), false);
    assert.equal(isDrift({ type: 'MODIFIED', object: deployment('other', 'by-hand', 2) }, ours, seen), false, 'not a release of the stack');
    assert.equal(isDrift({ type: 'MODIFIED', object: deployment('web', 'web', 3, '3', 'helm') }, ours, seen), false, 'an upgrade by helm is no drift');
    const scaled = deployment('web', 'web', 4, '4');
    scaled.metadata.managedFields = [{ manager: 'kubectl', subresource: 'scale', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }, ...(scaled.metadata.managedFields as object[])];
    assert.equal(isDrift({ type: 'MODIFIED', object: scaled }, ours, seen), true, 'kubectl scale: an entry without a time');
    assert.equal(isDrift({ type: 'DELETED', object: deployment('web', 'web', 2) }, ours, seen), true);
  });

  it('debounces changes into one trigger, held while a run is in flight; helm writes are no drift', async () => {
    let emit!: (event: WatchEvent) => void;
    const kube = new FakeKube();
    Object.assign(kube, {
      listCollection: async (_v: string, kind: string) => ({ items: kind === 'Deployment' ? [deployment('web', 'web', 1)] : [], resourceVersion: '1' }),
      watchObjects: (_v: string, kind: string, _ns: string, from: WatchFrom, onEvent: (e: WatchEvent) => void) => new Promise<void>((resolve) => {
        if (kind === 'Deployment') emit = onEvent;
        from.signal?.addEventListener('abort', () => resolve());
      }),
    });
    let busy = false;
    const drifts: string[] = [];
    const watch = new DriftWatch({ kube, releases: new Map([['shop', new Set(['web'])]]), busy: () => busy, onDrift: (o) => drifts.push(o), debounceMs: 20 });
    watch.start();
    while (!emit) await new Promise((r) => setImmediate(r));
    emit({ type: 'MODIFIED', object: deployment('web', 'web', 2) });
    emit({ type: 'MODIFIED', object: deployment('web', 'web', 3) });
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(drifts, ['Deployment/shop/web'], 'two changes, one trigger');
    emit({ type: 'MODIFIED', object: deployment('web', 'web', 4, '4', 'helm') });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(drifts.length, 1, 'its own writes are no drift');
    busy = true;
    emit({ type: 'MODIFIED', object: deployment('web', 'web', 5) });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(drifts.length, 1, 'held while a run is in flight');
    busy = false;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(drifts.length, 2, 'then run');
    watch.close();
  });
});
