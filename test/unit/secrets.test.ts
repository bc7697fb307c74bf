import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createHash } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { main } from '../../src/cli/main.js';
import { loadStack } from '../../src/stack/load.js';
import { tsxCacheDir } from '../../src/secrets/tsx-cache.js';
import { KubeRequestError } from '../../src/errors.js';
import { parseChartSpec } from '../../src/config/parse.js';
import { computeReleaseDigest, DIGEST_LABEL, releaseDigest } from '../../src/lifecycle/digest.js';
import { DIGEST_KEY_SECRET } from '../../src/lifecycle/digest-key.js';
import { NodeKubeClient } from '../../src/kube/client.js';
import { RestTransport } from '../../src/kube/rest-transport.js';
import { HelmCommandError, RenderError } from '../../src/helm/errors.js';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition } from '../../src/lifecycle/types.js';
import { base64Cores, createMasker, MASK } from '../../src/secrets/masker.js';
import { scrubError } from '../../src/secrets/scrub-error.js';
import { maskerForSpec, maskerForSpecs, sensitiveValuesOf } from '../../src/secrets/sensitive.js';
import { diffManifests, formatManifestDiff } from '../../src/stack/manifest-diff.js';
import { planChart } from '../../src/stack/plan.js';
import { formatPlan, formatPlanJson } from '../../src/cli/format.js';
import { buildReport } from '../../src/report/html.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { crashingPod, FakeHelm, FakeKube, releaseInfo } from './fakes.js';

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

/** A PEM-like key: what a TLS key in setSensitive looks like (header, 64-character base64 lines, footer). */
const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Vq1sentinel01',
  'x9Q<2&q>r8Zk3LmNoPqRsTuVwXyZ0123456789abcdefghijklmnopqrstuvwx02',
  'Ab3dEf',
  '-----END PRIVATE KEY-----',
].join('\n');
const PEM_BODY = PEM.split('\n').slice(1, -1);

function assertNoPemLine(text: string): void {
  for (const line of PEM_BODY) {
    const json = JSON.stringify(line).slice(1, -1);
    const go = json.replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    for (const form of [line, json, go]) assert.ok(!text.includes(form), `found ${JSON.stringify(form)} in:\n${text}`);
  }
}

describe('form matcher', () => {
  it('masks the longest form at the leftmost place, case-free forms aligned even after a character that lowering lengthens', () => {
    const masker = createMasker(['abcd-secret', 'abcd-secret-longer', 'Zq9x']);
    assert.equal(masker.mask('x abcd-secret-longer y ABCD-SECRET z'), `x ${MASK} y ${MASK} z`);
    assert.equal(masker.mask('İİ abcd-secret İ zq9x!'), `İİ ${MASK} İ ${MASK}!`);
    assert.equal(masker.reveals('no secret here'), false);
    assert.equal(masker.reveals('…ABCD-secret…'), true);
  });

  it('masks close to a megabyte of output in well under 1.5 s with a 50-line key and 20 other values', () => {
    const key = Array.from({ length: 50 }, (_, i) => createHash('sha384').update(String(i)).digest('base64')).join('\n');
    const masker = createMasker([key, ...Array.from({ length: 20 }, (_, i) => `value-number-${i}-of-twenty`)]);
    const text = Array.from({ length: 12_000 }, (_, i) => `line ${i}: kind: ConfigMap data: ordinary text value-${i} and words`).join('\n');
    const started = performance.now();
    assert.equal(masker.mask(text), text);
    // The alternation of every form this replaced took about 8 s here.
    assert.ok(performance.now() - started < 1_500, `${performance.now() - started} ms`);
  });
});

describe('multi-line sensitive values', () => {
  const masker = createMasker([PEM]);
  const indented = (value: string, spaces: number, eol = '\n') => value.split('\n').map((line) => `${' '.repeat(spaces)}${line}`).join(eol);
  // The key inside a client config (`key: {{ .Values.tls.key | nindent 6 }}`): no leaf holds it whole.
  const configMap = (eol = '\n') => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: tls', 'data:', '  client.yaml: |', '    endpoint: https://api', '    key: |', indented(PEM, 6, eol), '  plain: same'].join(eol);

  it('masks each line of a value re-indented by nindent, in CRLF text, and JSON-escaped by JS and by Go', () => {
    for (const spaces of [0, 2, 4, 8]) assertNoPemLine(masker.mask(`key:\n${indented(PEM, spaces)}\n`));
    assertNoPemLine(masker.mask(configMap('\r\n')));
    assertNoPemLine(masker.mask(JSON.stringify({ manifest: configMap() })));
    const goJson = JSON.stringify({ manifest: configMap() }).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    assertNoPemLine(masker.mask(goJson));
    assertNoPemLine(masker.mask(goJson.toUpperCase().toLowerCase()));
    // The value with its line ends as \n escapes (a JSON key file given on one line), CRLF ones too.
    assertNoPemLine(masker.mask(JSON.stringify(PEM.replace(/\n/g, '\r\n'))));
    assertNoPemLine(masker.mask(`one line: ${PEM.replace(/\n/g, '\\n')}`));
  });

  it('masks each line base64-encoded, as a Secret holds the re-indented key', () => {
    const out = masker.mask(`tls.key: ${Buffer.from(indented(PEM, 4)).toString('base64')}`);
    for (const line of PEM_BODY) {
      for (const offset of [0, 1, 2]) {
        // The characters of the line's base64 at this byte offset that depend on the line alone (2 left off at each edge).
        const encoded = Buffer.from('\0'.repeat(offset) + line).toString('base64');
        const core = encoded.slice(Math.ceil((offset * 8) / 6) + 1, Math.floor(((offset + line.length) * 8) / 6) - 1);
        if (core.length >= 6) assert.ok(!out.includes(core), `line ${JSON.stringify(line)} at offset ${offset} in ${out}`);
      }
    }
  });

  it('leaves blank, short and everyday lines of a value alone: they would blank unrelated output', () => {
    const masked = createMasker(['first-line-of-it\n\n}\n  \nab\n-->\nlast-line-of-it']);
    assert.equal(masked.mask('a } and --> and ab\n\n  x'), 'a } and --> and ab\n\n  x');
    assert.equal(masked.mask('x: last-line-of-it'), `x: ${MASK}`);
  });

  it('a plan diff of a ConfigMap holding the key shows a changed sensitive value, no line of it', () => {
    const before = configMap().replace('sentinel01', 'previous01');
    const changes = diffManifests(before, configMap(), 'apps', { masker });
    const text = formatManifestDiff(changes) + JSON.stringify(changes);
    assertNoPemLine(text);
    assert.ok(!text.includes('previous01'), 'the previous key at that place is hidden too');
    assert.match(text, /sensitive value, changed/);
  });
});

describe('the CLI: one masker per run, on every line it writes', () => {
  const DB_PASSWORD = 'db-Pa55word-9c1e"x';
  /**
   * A stack of two charts: `db` owns the PEM key and the password (setSensitive); `app`'s values file holds
   * the same password (as teams copy a connection string), and `app` has no sensitive value of its own.
   * The helm given is a script: `version` answers, `template` of `app` prints (or fails with) what a chart
   * rendering that values file would.
   */
  async function stackWithFakeHelm(appTemplate: string): Promise<{ dir: string; helm: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-mask-cli-'));
    for (const chart of ['app', 'db']) {
      await mkdir(join(dir, 'charts', chart), { recursive: true });
      await writeFile(join(dir, 'charts', chart, 'Chart.yaml'), `apiVersion: v2\nname: ${chart}\nversion: 1.0.0\n`);
    }
    await writeFile(join(dir, 'app-values.yaml'), `database: {url: ${JSON.stringify(`postgres://app:${DB_PASSWORD}@db`)}}\n`);
    await writeFile(join(dir, 'helmcycle.yaml'), JSON.stringify({
      name: 'masking',
      charts: [
        { name: 'db', chart: './charts/db', namespace: 'data', setSensitive: { 'auth.password': DB_PASSWORD, 'tls.key': PEM } },
        { name: 'app', chart: './charts/app', namespace: 'apps', valuesFiles: ['app-values.yaml'], needs: ['db'] },
      ],
    }));
    const helm = join(dir, 'fake-helm');
    await writeFile(join(dir, 'app-template.txt'), appTemplate);
    await writeFile(helm, [
      '#!/bin/sh',
      'case "$1" in version) echo v3.17.0; exit 0;; esac',
      'cat >/dev/null',
      `for arg in "$@"; do if [ "$arg" = app ]; then exec sh '${join(dir, 'app-template.txt')}'; fi; done`,
      "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: db\\n'",
      '',
    ].join('\n'));
    await chmod(helm, 0o755);
    return { dir, helm };
  }

  async function run(dir: string, args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: dir });
    return { code, out: `${stdout}\n${stderr}` };
  }

  const renderedApp = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: app', 'data:', `  url: postgres://app:${DB_PASSWORD}@db`, '  client.yaml: |', '    key: |', ...PEM.split('\n').map((line) => `      ${line}`)].join('\n');

  it("template: chart app's output holding chart db's password and key lines shows neither", async () => {
    const { dir, helm } = await stackWithFakeHelm(`cat <<'EOF'\n${renderedApp}\nEOF\n`);
    try {
      const { code, out } = await run(dir, ['--helm', helm, 'template']);
      assert.equal(code, 0, out);
      assert.match(out, /# chart: app/);
      assertNoForm(out, DB_PASSWORD);
      assertNoPemLine(out);
      assert.match(out, /url: postgres:\/\/app:\*\*\*@db/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("an error of any command (here template's, echoing chart db's values) shows no secret, with --debug too", async () => {
    const echo = `Error: execution error at (app/templates/cm.yaml:3): bad url ${JSON.stringify(`postgres://app:${DB_PASSWORD}@db`)} for key ${JSON.stringify(PEM)}`;
    const { dir, helm } = await stackWithFakeHelm(`echo '${echo.replace(/'/g, "'\\''")}' >&2\nexit 1\n`);
    try {
      const { code, out } = await run(dir, ['--debug', '--helm', helm, 'template']);
      assert.equal(code, 1, out);
      assert.match(out, /bad url/);
      assertNoForm(out, DB_PASSWORD);
      assertNoPemLine(out);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('an exec credential plugin that fails', () => {
  const TOKEN = 's3cr3t-exec-token-5f2b91';
  async function kubeconfigWithPlugin(script: string): Promise<{ dir: string; file: string; config: KubeConfig }> {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-exec-plugin-'));
    const plugin = join(dir, 'token-plugin');
    await writeFile(plugin, `#!/bin/sh\n${script}\n`);
    await chmod(plugin, 0o755);
    const file = join(dir, 'kubeconfig');
    await writeFile(file, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'ctx',
      clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:1' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'ci-bot' } }],
      users: [{ name: 'ci-bot', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, args: ['--flag-with', 'arg-value-7'], interactiveMode: 'Never' } } }],
    }));
    const config = new KubeConfig();
    config.loadFromFile(file);
    return { dir, file, config };
  }

  function assertNoToken(error: unknown): void {
    const text = `${(error as Error).message}\n${inspect(error, { depth: 10 })}`;
    for (const form of [TOKEN, TOKEN.slice(0, 10), 'arg-value-7']) assert.ok(!text.includes(form), `found ${form} in ${text}`);
  }

  for (const [what, script, problem] of [
    ['prints a bare token', `printf '${TOKEN}'`, /which printed something that is not JSON/],
    ['exits non-zero with the token on stderr', `echo 'bad token ${TOKEN}' >&2; exit 1`, /which exited with an error/],
    ['prints JSON that is no ExecCredential', `printf '{"token":"${TOKEN}"}'`, /which printed JSON that is not an ExecCredential/],
  ] as const) {
    it(`${what}: the error names the plugin and the problem, never its output`, async () => {
      const { dir, config } = await kubeconfigWithPlugin(script);
      try {
        const viaRest = await new RestTransport(config).send({ method: 'GET', path: '/version' }).then(() => undefined, (error: unknown) => error);
        assertNoToken(viaRest);
        assert.match((viaRest as Error).message, /the kubeconfig user 'ci-bot' gets its credentials from the exec plugin '.*token-plugin'/);
        assert.match((viaRest as Error).message, problem);
        // The API clients of client-node (server version, access reviews, logs) apply them on their own.
        const viaApi = await new NodeKubeClient(config).serverVersion().then(() => undefined, (error: unknown) => error);
        assertNoToken(viaApi);
        assert.match((viaApi as Error).message, problem);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it("the CLI's environment check says which plugin failed, and nothing it printed", async () => {
    const { dir, file } = await kubeconfigWithPlugin(`printf '${TOKEN}'`);
    try {
      await mkdir(join(dir, 'web'));
      await writeFile(join(dir, 'web', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
      await writeFile(join(dir, 'helmcycle.yaml'), JSON.stringify({ charts: [{ name: 'web', chart: './web' }] }));
      let out = '';
      const code = await main(['--kubeconfig', file, '--helm', join(dir, 'no-helm'), 'status'], { stdout: (t) => (out += t), stderr: (t) => (out += t), interactive: false, cwd: dir });
      for (const form of [TOKEN, TOKEN.slice(0, 10)]) assert.ok(!out.includes(form), out);
      assert.equal(code, 2, out);
      assert.match(out, /exec plugin '.*token-plugin', which printed something that is not JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the release digest on helm\'s argv', () => {
  const WEAK = 'summer2024';
  const GUESSES = ['password', 'letmein', 'admin123', 'qwerty12', 'summer2023', WEAK, 'winter2024'];
  const chart: ChartDefinition = { name: 'web', namespace: 'apps', chart: 'web', repository: 'http://charts.example', skipUnchanged: true, set: { replicas: 2 }, setSensitive: { 'db.password': WEAK } };

  /** Applies `definition` as a stack does; the labels helm was given (its argv: `--labels k=v`), the outcome. */
  async function apply(definition: ChartDefinition, helm: FakeHelm, kube: FakeKube) {
    const result = await runChart(definition, { helm, kube });
    const request = helm.upgradeRequests.at(-1);
    // What helm records: the labels it was given, read back by the next run.
    if (result.outcome !== 'unchanged' && request) helm.current = { ...helm.current!, labels: request.options.labels };
    return { outcome: result.outcome, label: request?.options.labels?.[DIGEST_LABEL] };
  }

  it('cannot be used to test guesses at a sensitive value: it is keyed with a Secret of the namespace', async () => {
    const helm = new FakeHelm();
    const kube = new FakeKube();
    const { label } = await apply(chart, helm, kube);
    assert.match(label ?? '', /^[0-9a-f]{40}$/);
    // Whoever reads the argv knows the rest of the stack (it is in the repository) and tries passwords.
    for (const guess of GUESSES) {
      const spec = parseChartSpec({ ...chart, setSensitive: { 'db.password': guess } });
      for (const key of [undefined, 'omitted'] as const) assert.notEqual(await computeReleaseDigest(spec, '1.0.0', undefined, undefined, key), label, `guess ${guess} (${key})`);
    }
    const key = kube.objects.get(`Secret/apps/${DIGEST_KEY_SECRET}`);
    assert.ok(key, 'the key is kept in a Secret of the release\'s namespace');
    const keyText = String((key.data as { key: string }).key);
    assert.ok(Buffer.from(keyText, 'base64').length >= 32);
    assert.ok(!JSON.stringify(helm.upgradeRequests).includes(keyText), 'the key is on no helm request');
  });

  it('stays the same across runs (unchanged), and changes with the sensitive value (upgrade)', async () => {
    const helm = new FakeHelm();
    const kube = new FakeKube();
    const first = await apply(chart, helm, kube);
    assert.equal(first.outcome, 'installed');
    assert.equal((await apply(chart, helm, kube)).outcome, 'unchanged');
    assert.equal(kube.calls.filter((c) => c.includes(DIGEST_KEY_SECRET)).length, 1, 'the key was made once');
    const changed = await apply({ ...chart, setSensitive: { 'db.password': 'autumn2024' } }, helm, kube);
    assert.equal(changed.outcome, 'upgraded');
    assert.notEqual(changed.label, first.label);
  });

  it('a chart without sensitive values keeps the digest it had before keys (no upgrade for it), and needs no key', async () => {
    const spec = parseChartSpec({ name: 'web', namespace: 'apps', chart: 'web', repository: 'http://charts.example', set: { a: 1 }, values: { b: 'two' } });
    // The digest this input had before sensitive values were keyed (computed with the previous code).
    assert.equal(releaseDigest({ spec, chartVersion: '1.0.0', valuesFileContents: ['a: 1'], localChartHash: undefined }), 'dada73b52972fb4f5b69e7b94c4a2631b8ccf7d3');
    const kube = new FakeKube();
    await apply({ ...chart, setSensitive: {} }, new FakeHelm(), kube);
    assert.equal(kube.objects.has(`Secret/apps/${DIGEST_KEY_SECRET}`), false);
  });

  it("is keyed too when the chart's values hold another chart's sensitive value", async () => {
    const db: ChartDefinition = { name: 'db', namespace: 'apps', chart: 'db', repository: 'http://charts.example', setSensitive: { 'auth.password': WEAK } };
    const app = (password: string): ChartDefinition => ({ name: 'web', namespace: 'apps', chart: 'web', repository: 'http://charts.example', values: { database: { url: `postgres://app:${password}@db` } } });
    const helm = new FakeHelm();
    const kube = new FakeKube();
    // As a stack runs it: with the masker of every chart's secrets.
    await runChart(app(WEAK), { helm, kube, masker: maskerForSpecs([db, app(WEAK)]) });
    const label = helm.upgradeRequests[0]?.options.labels?.[DIGEST_LABEL];
    assert.match(label ?? '', /^[0-9a-f]{40}$/);
    for (const guess of GUESSES) {
      assert.notEqual(await computeReleaseDigest(parseChartSpec(app(guess)), '1.0.0'), label, `guess ${guess}`);
    }
    assert.ok(kube.objects.has(`Secret/apps/${DIGEST_KEY_SECRET}`));
  });

  it('where no key can be had, matches no release: the release is upgraded, never wrongly left unchanged', async () => {
    const helm = new FakeHelm();
    const kube = new FakeKube();
    await apply(chart, helm, kube);
    // The next run (a client of its own) finds the key gone and may not create one.
    const next = new FakeKube();
    next.createObject = async () => { throw new KubeRequestError('secrets is forbidden', 403); };
    helm.current = releaseInfo({ labels: helm.current!.labels! });
    assert.equal((await apply(chart, helm, next)).outcome, 'upgraded');
  });
});

describe('plan with the run\'s masker', () => {
  it("chart app's plan, text and JSON, shows neither chart db's password nor its key's lines, installed or changed", async () => {
    const password = 'db-Pa55word-41aa';
    const db: ChartDefinition = { name: 'db', namespace: 'apps', chart: 'db', repository: 'http://127.0.0.1:1', setSensitive: { 'auth.password': password, 'tls.key': PEM } };
    const app: ChartDefinition = { name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', values: { url: `postgres://app:${password}@db` } };
    const rendered = (pass: string) => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: web', 'data:', `  url: postgres://app:${pass}@db`, '  client.yaml: |', '    key: |', ...PEM.split('\n').map((line) => `      ${line}`)].join('\n');
    const helm = new FakeHelm();
    const kube = new FakeKube();
    helm.manifest = rendered(password);
    const masker = maskerForSpecs([db, app]);
    const installPlan = await planChart({ name: 'web', needs: ['db'], definition: app, file: undefined }, { helm, kube, command: 'apply', masker });
    // An upgrade of a deployed release whose previous revision had another password.
    helm.current = releaseInfo({ revision: 1 });
    helm.manifest = rendered('older-Pa55word-0000');
    helm.dryRunManifest = rendered(password);
    const upgradePlan = await planChart({ name: 'web', needs: ['db'], definition: app, file: undefined }, { helm, kube, command: 'apply', masker });
    assert.equal(upgradePlan.action, 'upgrade');
    const text = formatPlan([installPlan, upgradePlan]) + formatPlanJson([installPlan, upgradePlan]);
    assertNoForm(text, password);
    assertNoPemLine(text);
    assert.match(text, /ConfigMap\/apps\/web/);
  });
});

describe('a TypeScript stack with a password written in it', () => {
  it("leaves tsx's cache of the compiled stack readable by this user alone", async () => {
    const root = await mkdtemp(join(tmpdir(), 'helmcycle-tsx-cache-'));
    const previous = process.env.TMPDIR;
    try {
      // As tsx leaves it on a shared machine: made by an earlier run, readable by everyone.
      await mkdir(tsxCacheDir(root), { mode: 0o755 });
      await chmod(tsxCacheDir(root), 0o755);
      await writeFile(join(root, 'helmcycle.config.ts'), `export default { charts: [{ name: 'web', chart: 'web', repository: 'http://charts.example', setSensitive: { password: 'written-in-the-file' } }] };\n`, { mode: 0o600 });
      process.env.TMPDIR = root;
      const stack = await loadStack(join(root, 'helmcycle.config.ts'));
      assert.equal(stack.charts.length, 1);
      assert.equal((await stat(tsxCacheDir(root))).mode & 0o777, 0o700);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      await rm(root, { recursive: true, force: true });
    }
  });
});
