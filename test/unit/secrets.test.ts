import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HelmCommandError, RenderError } from '../../src/helm/errors.js';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition } from '../../src/lifecycle/types.js';
import { base64Cores, createMasker, MASK } from '../../src/secrets/masker.js';
import { scrubError } from '../../src/secrets/scrub-error.js';
import { maskerForSpec, sensitiveValuesOf } from '../../src/secrets/sensitive.js';
import { diffManifests, formatManifestDiff } from '../../src/stack/manifest-diff.js';
import { buildReport } from '../../src/report/html.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { crashingPod, FakeHelm, FakeKube } from './fakes.js';

const SECRET = 'Sentinel-7f3a"q\\Z';

/** Every form of SECRET a leak would take, for the assertions. */
function formsOf(secret: string): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    secret, secret.toLowerCase(), secret.toUpperCase(), JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret),
    b64(secret), b64(secret.toLowerCase()), b64(secret.toUpperCase()), Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex'),
  ];
}

function assertNoForm(text: string, secret = SECRET): void {
  for (const form of formsOf(secret)) assert.ok(!text.includes(form), `found ${JSON.stringify(form)} in:\n${text}`);
}

describe('masker', () => {
  const masker = createMasker([SECRET]);

  it('masks the value in every case and escape', () => {
    for (const form of formsOf(SECRET)) {
      const out = masker.mask(`before ${form} after`);
      assert.equal(out, `before ${MASK} after`, `form ${JSON.stringify(form)}`);
    }
    assert.equal(masker.mask('MiXeD: sEnTiNeL-7F3A"Q\\z'), `MiXeD: ${MASK}`);
    assert.equal(masker.mask(JSON.stringify(JSON.stringify({ v: SECRET }))).includes('Sentinel'), false, 'escaped twice');
  });

  it('finds a value embedded at any byte offset of a longer base64 text', () => {
    for (const prefix of ['', 'a', 'ab', 'abc', 'password=', 'x: y\ntoken: ']) {
      for (const suffix of ['', '!', '!!', '\nmore text']) {
        const encoded = Buffer.from(`${prefix}${SECRET}${suffix}`).toString('base64');
        const out = masker.mask(encoded);
        assert.ok(out.includes(MASK), `offset ${prefix.length}, suffix ${suffix.length}: ${out}`);
        // What is left are only the few edge characters that mix in the neighbouring bytes.
        assert.ok(out.length - MASK.length <= encoded.length - base64Cores(Buffer.from(SECRET))[0]!.length + 6);
        assert.ok(!Buffer.from(out.replace(MASK, ''), 'base64').toString('latin1').includes('Sentinel'));
      }
    }
  });

  it('keeps each base64 core inside the value bits only', () => {
    const secret = Buffer.from('abcdefgh');
    for (const core of base64Cores(secret)) {
      const found = [0, 1, 2].some((offset) => Buffer.concat([Buffer.alloc(offset, 0x41), secret, Buffer.from('ZZ')]).toString('base64').includes(core));
      const foundOther = [0, 1, 2].some((offset) => Buffer.concat([Buffer.alloc(offset, 0x7e), secret, Buffer.from('\x01')]).toString('base64').includes(core));
      assert.ok(found && foundOther, `core ${core} does not depend on the neighbours`);
    }
  });

  it('leaves text without secrets alone, and short values unmasked', () => {
    assert.equal(masker.mask('nothing to see'), 'nothing to see');
    const short = createMasker(['abc', 1, 'no']);
    assert.equal(short.empty, true);
    assert.equal(short.mask('abc 1 no'), 'abc 1 no');
  });

  it('masks deep copies of events and plans without touching the original', () => {
    const event = { type: 'message', message: `token ${SECRET}`, nested: [{ [SECRET]: Buffer.from(SECRET).toString('base64') }] };
    const masked = masker.maskDeep(event);
    assert.equal(event.message, `token ${SECRET}`, 'original kept');
    assertNoForm(JSON.stringify(masked));
    assert.equal(masked.message, `token ${MASK}`);
  });

  it('reads the secrets of a spec: setSensitive values and the repository password', () => {
    assert.deepEqual(sensitiveValuesOf({ setSensitive: { a: 'one1', b: 12345 }, repositoryAuth: { password: 'pw-pw-pw' } }), ['one1', '12345', 'pw-pw-pw']);
    assert.equal(maskerForSpec({ repositoryAuth: { password: 'pw-pw-pw' } }).mask('user:pw-pw-pw'), `user:${MASK}`);
  });
});

describe('scrubError', () => {
  it('masks the whole cause chain: messages, stderr tails, hints and data fields', () => {
    const helm = new HelmCommandError('HELM_COMMAND_FAILED', `helm upgrade failed: ${SECRET.toUpperCase()}`, {
      argv: ['upgrade'], exitCode: 1, stderrTail: `Error: ${Buffer.from(SECRET).toString('base64')}`, durationMs: 1, timedOut: false, cancelled: false,
    }, `try ${SECRET}`);
    const outer = new Error(`outer ${SECRET}`, { cause: helm });
    scrubError(outer, createMasker([SECRET]));
    assertNoForm(`${outer.message}\n${outer.stack}\n${helm.message}\n${helm.stack}\n${helm.failure.stderrTail}\n${helm.hint}`);
  });
});

describe('plan diffs', () => {
  const masker = createMasker([SECRET]);
  const configMap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  token: "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n  url: https://user:${encodeURIComponent(value)}@db\n  plain: same\n`;
  const secret = (value: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  token: ${Buffer.from(value).toString('base64')}\n`;

  it('masks a sensitive value in a ConfigMap, and the previous value at the same place', () => {
    const changes = diffManifests(configMap('old-secret-value') + '---\n' + secret('old-secret-value'), configMap(SECRET) + '---\n' + secret(SECRET), 'apps', { masker });
    const text = formatManifestDiff(changes) + JSON.stringify(changes);
    assertNoForm(text);
    assert.ok(!text.includes('old-secret-value'), 'the previous revision\'s value at that place is hidden too');
    assert.match(text, /\(sensitive value, changed\)/);
    assert.match(text, /secret value of token, changed/);
    assert.deepEqual(changes.map((c) => c.resource).sort(), ['ConfigMap/apps/app', 'Secret/apps/app']);
  });

  it('says nothing changed when the sensitive value did not change', () => {
    assert.deepEqual(diffManifests(configMap(SECRET), configMap(SECRET), 'apps', { masker }), []);
  });

  it('without the masker a ConfigMap shows its values (what the plan used to print)', () => {
    const text = JSON.stringify(diffManifests(configMap('old'), configMap(SECRET), 'apps'));
    assert.ok(text.includes('Sentinel'));
  });
});

describe('runChart output', () => {
  class LeakyKube extends FakeKube {
    override async podLogs() { return `connecting with ${Buffer.from(`password=${SECRET}`).toString('base64')}`; }
  }
  const definition: ChartDefinition = {
    name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', timeoutSeconds: 1,
    setSensitive: { 'db.password': SECRET }, repositoryAuth: { username: 'u', password: 'repo-pass-1234' },
  };

  it('masks every event, the error, its cause chain, diagnostics and container logs', async () => {
    const helm = new FakeHelm();
    const kube = new LeakyKube();
    kube.pods = [crashingPod('web-1')];
    const stderr = `Error: execution error at (web/templates/cm.yaml:3): bad ${SECRET.toLowerCase()} ${JSON.stringify(SECRET)} repo-pass-1234`;
    helm.upgradeOutcomes = [new RenderError('HELM_RENDER_FAILED', `helm upgrade failed: ${stderr}`, { argv: ['upgrade'], exitCode: 1, stderrTail: stderr, durationMs: 1, timedOut: false, cancelled: false })];
    const events: LifecycleEvent[] = [];
    const error = await expectChartFailure(runChart(definition, { helm, kube, onEvent: (e) => events.push(e) }));
    const cause = error.cause as RenderError;
    const everything = [JSON.stringify(events), error.message, error.stack, cause.message, cause.failure.stderrTail, JSON.stringify(error.diagnostics), buildReport(events)].join('\n');
    assertNoForm(everything);
    assertNoForm(everything, 'repo-pass-1234');
    assert.ok(everything.includes('connecting with'), 'the log tail is there, masked');
    assert.ok(everything.includes(MASK));
  });

  it('masks what a remedied failure leaves in the payload of a successful run', async () => {
    const helm = new FakeHelm();
    const kube = new LeakyKube();
    kube.pods = [crashingPod('web-1')];
    helm.upgradeOutcomes = [new HelmCommandError('HELM_TIMEOUT', 'helm upgrade failed: timed out waiting for the condition', { argv: ['upgrade'], exitCode: 1, stderrTail: 'timed out waiting for the condition', durationMs: 1, timedOut: false, cancelled: false }), 'ok'];
    const result = await runChart({ ...definition, remedies: { policy: { other: 'retry', 'readiness-timeout': 'retry' } } }, { helm, kube });
    assert.equal(result.payload.remedies?.length, 1, 'a remedy ran');
    assert.ok(result.payload.diagnostics, 'its diagnostics are in the payload');
    assertNoForm(JSON.stringify(result.payload));
  });
});
