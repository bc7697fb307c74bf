// helmcycle import over a corpus of helmfiles in the shapes public ones have (test/fixtures/helmfile/corpus):
// several documents with environments first, bases, helmfiles of helmfiles with values and selectors,
// .gotmpl files with if/range/with/env/toYaml, OCI charts, digests and names helm refuses. Each is
// converted and its stack asserted, and each written stack loads with the stack loader `plan` uses, in
// every environment.
import assert from 'node:assert/strict';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { main } from '../../src/cli/main.js';
import { formatPlan, formatPlanJson } from '../../src/cli/format.js';
import { StackConfigError } from '../../src/errors.js';
import { convertHelmfile, type ImportResult } from '../../src/import/convert.js';
import { readHelmfile } from '../../src/import/read-helmfile.js';
import { maskerForSpecs } from '../../src/secrets/sensitive.js';
import { loadStack } from '../../src/stack/load.js';
import { planChart } from '../../src/stack/plan.js';
import { resolveStackSecrets } from '../../src/stack/resolve-secrets.js';
import { FakeHelm, FakeKube } from './fakes.js';
import { sealSopsYaml } from './support/sops-seal.js';

const CORPUS = resolve('test/fixtures/helmfile/corpus');

function convert(file: string, environment?: string): ImportResult {
  const path = join(CORPUS, file);
  const read = readHelmfile(path, environment ? { environment } : {});
  return convertHelmfile({ ...read, file, path: (p) => p });
}

const chart = (result: ImportResult, name: string) => result.stack.charts.find((c) => c.name === name);
const item = (result: ImportResult, what: RegExp) => result.notConverted.find((i) => what.test(`${i.field} ${i.what}`));

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd });
  return { code, stdout, stderr };
}

describe('import corpus: several documents, environments first, .gotmpl', () => {
  const result = convert('multi-document/helmfile.yaml.gotmpl');

  it('renders the releases with the default environment values the first document declared', () => {
    assert.deepEqual(chart(result, 'api'), {
      name: 'api',
      namespace: 'shop',
      chart: 'nginx',
      repository: 'https://charts.bitnami.com/bitnami',
      version: '18.1.0',
      // values/api.yaml.gotmpl rendered with .Release and .Values, then the inline map
      values: [{ ingress: { enabled: false, hostname: 'api.shop.example.com' }, serverBlock: 'location /healthz { return 200; }' }, { replicaCount: 1 }],
      set: { 'image.tag': '1.4.0' },
      labels: { tier: 'app' },
      needs: ['postgresql'],
    });
    assert.deepEqual(result.stack.defaults, { createNamespace: true, wait: true, timeoutSeconds: 600 });
    // A release only production renders is part of the stack only there: never a destroy elsewhere.
    assert.deepEqual(result.stack.charts.map((c) => [c.name, c.action, c.environments]), [['postgresql', undefined, undefined], ['api', undefined, undefined], ['tenant-acme', undefined, undefined], ['kube-prometheus-stack', undefined, ['production']], ['tenant-globex', undefined, ['production']]]);
  });

  it('writes requiredEnv as a run-time ref+env reference, never the importer\'s environment', () => {
    assert.deepEqual(chart(result, 'postgresql')!.values, [{ auth: { database: 'app', password: 'ref+env://POSTGRES_PASSWORD' }, primary: { persistence: { size: '8Gi' } } }]);
  });

  it('gives every environment what its rendering changes, a .gotmpl environment file and {{ with }} / toYaml included', () => {
    const production = result.stack.environments!.production!.charts;
    assert.deepEqual(production.postgresql!.namespace, 'shop-prod');
    assert.deepEqual((production.api!.values as unknown[])[1], { replicaCount: 3, resources: { limits: { memory: '512Mi' } } });
    assert.equal(production['kube-prometheus-stack'], undefined, '{{ if eq .Environment.Name "production" }}: the chart as production renders it, nothing to override');
    assert.equal(production['tenant-globex'], undefined, '{{ range }} over the production tenants');
    assert.equal(chart(result, 'tenant-globex')!.namespace, 'shop-prod');
    assert.ok(!Object.values(result.stack.environments!).some((e) => Object.values(e.charts).some((c) => c.action === 'destroy')), 'no environment destroys a release it does not render');
    assert.deepEqual(result.stack.environments!.staging!.charts.api!.set, { 'image.tag': '1.5.0-rc.1' });
    assert.equal(result.origins.api, '(document 3) releases[1]');
  });

  it('with --env, renders that one environment into the charts', () => {
    const production = convert('multi-document/helmfile.yaml.gotmpl', 'production');
    assert.equal(production.stack.environments, undefined);
    assert.equal(chart(production, 'api')!.namespace, 'shop-prod');
    assert.equal(chart(production, 'kube-prometheus-stack')!.action, undefined);
    assert.throws(() => convert('multi-document/helmfile.yaml.gotmpl', 'qa'), /no environment 'qa'[\s\S]*default, staging, production/);
  });
});

describe('import corpus: bases and nested helmfiles', () => {
  it('merges bases before the helmfile: their environments, repositories, helmDefaults and commonLabels', () => {
    const result = convert('bases/helmfile.yaml');
    assert.deepEqual(result.stack.defaults, { createNamespace: true, atomic: true, historyMax: 5, labels: { team: 'platform' } });
    assert.deepEqual(chart(result, 'redis'), { name: 'redis', namespace: 'cache', chart: 'redis', repository: 'https://charts.bitnami.com/bitnami', version: '19.6.4', values: [{ architecture: 'standalone' }], valuesFiles: ['values/redis.yaml'] });
    // installed: false in production is helmfile's own uninstall there: a destroy, as helmfile does it.
    assert.deepEqual(result.stack.environments, { production: { charts: { redis: { values: [{ architecture: 'replication' }] }, 'ingress-nginx': { action: 'destroy' } } } });
  });

  it('joins sub-helmfiles into one stack: globs, selectors, values, their paths and helmDefaults, each with its origin', () => {
    const result = convert('nested/helmfile.yaml');
    assert.deepEqual(result.stack.charts.map((c) => c.name), ['orders', 'storefront', 'cert-manager'], 'storefront-debug (tier=debug) is not selected');
    assert.equal(chart(result, 'orders')!.chart, './apps/backend/chart', 'a local chart rebased onto the top folder');
    assert.deepEqual(chart(result, 'storefront')!.valuesFiles, ['./apps/frontend/values.yaml']);
    assert.equal(chart(result, 'storefront')!.wait, true, "the sub-helmfile's helmDefaults");
    assert.deepEqual(chart(result, 'cert-manager')!.set, { replicaCount: 2, installCRDs: true }, 'the values the top helmfile gives it win');
    assert.deepEqual(result.origins, { orders: 'apps/backend/helmfile.yaml: releases[0]', storefront: 'apps/frontend/helmfile.yaml: releases[0]', 'cert-manager': 'infra/helmfile.yaml (document 2): releases[0]' });
  });
});

describe('import corpus: OCI charts, digests and names', () => {
  const result = convert('oci/helmfile.yaml');

  it('makes names helm refuses valid, and names a release without one after its chart, listing each', () => {
    assert.deepEqual(result.stack.charts.map((c) => c.name), ['podinfo-frontend', 'ghcr-io-example-org-charts-backend', 'pinned-by-digest', 'a-release-name-that-a-template-made-far-too-long-for', 'metrics-agent']);
    assert.ok(item(result, /releases\[0\]\.name the release name 'Podinfo_Frontend'/));
    assert.ok(item(result, /releases\[1\]\.name .*holding '\/'/));
    assert.ok(item(result, /releases\[3\]\.name .*longer than 53/));
    assert.ok(item(result, /releases\[4\]\.name a release without a name/));
  });

  it('converts an OCI digest pin at an exact version to digest:, and lists the others and unpinned charts', () => {
    assert.deepEqual(chart(result, 'ghcr-io-example-org-charts-backend'), { name: 'ghcr-io-example-org-charts-backend', namespace: 'apps', chart: 'oci://ghcr.io/example-org/charts/backend' });
    const pinned = chart(result, 'pinned-by-digest')!;
    assert.deepEqual([pinned.chart, pinned.version, pinned.digest], ['oci://ghcr.io/example-org/charts/worker', '2.1.0', 'sha256:9b2a1cfb1b9e0a0a6a3f0e5b5c7d9e1f2a3b4c5d6e7f8091a2b3c4d5e6f70812']);
    assert.ok(item(result, /releases\[1\]\.chart the digest pin sha256:4f53.*needs the exact version/));
    assert.ok(!item(result, /releases\[2\]\.version/), 'the pin at 2.1.0 converts exactly');
    assert.ok(item(result, /releases\[3\]\.version no chart version/));
  });
});

describe('import corpus: the written stacks load as plan loads them', () => {
  for (const file of ['multi-document/helmfile.yaml.gotmpl', 'bases/helmfile.yaml', 'nested/helmfile.yaml', 'oci/helmfile.yaml']) {
    it(`${file}: written, loaded in every environment, with the checklist at the end`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-corpus-'));
      await cp(CORPUS, dir, { recursive: true });
      const cwd = join(dir, file.split('/')[0]!);
      const out = await run(['import', file.split('/')[1]!], cwd);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^wrote helmcycle\.yaml: \d+ chart/m);
      assert.match(out.stdout, /^to finish by hand:/m);
      const stack = await loadStack(undefined, { cwd });
      const written = await readFile(join(cwd, 'helmcycle.yaml'), 'utf8');
      assert.ok(stack.charts.length > 0);
      if (file.startsWith('nested/')) assert.match(written, /^# charts from:\n(# {3}- .*\n)*# {3}- storefront: apps\/frontend\/helmfile\.yaml: releases\[0\]$/m);
      const data = (await import('yaml')).parse(written) as { environments?: Record<string, unknown>; charts: { environments?: string[] }[] };
      const partOf = (environment: string) => data.charts.filter((c) => !c.environments || c.environments.includes(environment)).length;
      assert.equal(stack.charts.length, partOf('default'));
      for (const environment of Object.keys(data.environments ?? {})) {
        const loaded = await loadStack(undefined, { cwd, environment });
        assert.equal(loaded.charts.length, partOf(environment), environment);
      }
    });
  }

  it('gives the items and the checklist in JSON with -o json, grouped by topic', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-corpus-'));
    await cp(join(CORPUS, 'oci'), dir, { recursive: true });
    const out = await run(['import', 'helmfile.yaml', '-o', 'json'], dir);
    assert.equal(out.code, 0, out.stderr);
    const report = JSON.parse(out.stdout) as { wrote: string; charts: number; checklist: { topic: string; items: string[] }[]; notConverted: unknown[] };
    assert.equal(report.charts, 5);
    assert.deepEqual(report.checklist.map((g) => g.topic), ['releases left out, renamed or only in some environments', 'chart versions']);
    assert.equal(report.checklist.flatMap((g) => g.items).length, report.notConverted.length);
    assert.equal(out.stderr, '');
  });

  it('refuses --env with --all-environments', async () => {
    const out = await run(['import', join(CORPUS, 'oci/helmfile.yaml'), '-e', 'default', '--all-environments'], tmpdir());
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /exclude each other/);
  });
});

describe('import corpus: the pieces', () => {
  it('splits documents at --- lines only, keeping where each starts', async () => {
    const { splitDocuments } = await import('../../src/import/documents.js');
    const parts = splitDocuments('---\na: 1\n---  # environments next\n# only a comment\n---\nb: "---"\n');
    assert.deepEqual(parts.map((p) => [p.index, p.line, p.text]), [[1, 2, 'a: 1'], [2, 6, 'b: "---"\n']]);
  });

  it('matches helmfile selectors: all terms of one, any of several; name, namespace and chart are labels', async () => {
    const { matchesSelector } = await import('../../src/import/sub-helmfiles.js');
    const release = { name: 'web', namespace: 'shop', chart: 'bitnami/nginx', labels: { tier: 'web' } };
    assert.equal(matchesSelector(release, 'tier=web,namespace=shop'), true);
    assert.equal(matchesSelector(release, 'tier=web,name!=web'), false);
    assert.equal(matchesSelector(release, 'chart=bitnami/nginx'), true);
    assert.equal(matchesSelector(release, 'team=x'), false);
  });

  it('refuses one release (name and namespace) declared by two sub-helmfiles', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-corpus-'));
    await cp(join(CORPUS, 'nested'), dir, { recursive: true });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'helmfile.yaml'), 'helmfiles:\n  - apps/frontend/helmfile.yaml\n  - apps/frontend/helmfile.yaml\n');
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /release 'storefront' in namespace 'web' is declared at apps\/frontend\/helmfile\.yaml: releases\[0\] too/);
  });
});

describe('import corpus: one environment (-e)', () => {
  it("lists only that environment's items, read through the files seam", () => {
    const text = 'environments:\n  default: {}\n  prod:\n    values:\n      - tier: gold\n---\nreleases:\n  - name: web\n    chart: ./web\n    labels:\n      tier: {{ .Values.tier }}\n';
    const files = { read: (p: string) => (p === '/project/helmfile.yaml' ? text : undefined), list: () => [], real: (p: string) => p };
    const only = readHelmfile('/project/helmfile.yaml', { files, environment: 'prod' });
    assert.deepEqual(only.notes, []);
    const result = convertHelmfile({ ...only, file: 'helmfile.yaml', path: (p) => p });
    assert.deepEqual(result.stack.charts, [{ name: 'web', chart: './web', labels: { tier: 'gold' } }]);
    const all = readHelmfile('/project/helmfile.yaml', { files });
    // Never a destroy in the default environment for a release left out there: nothing is left to import.
    assert.throws(() => convertHelmfile({ ...all, file: 'helmfile.yaml', path: (p) => p }), /no release is left[\s\S]*left out of environment 'default'/);
    assert.match(all.notes.map((n) => `${n.field} ${n.what}`).join('\n'), /^\(document 2\) releases\[0\]\.labels\.tier \.Values\.tier is not set \(helmfile\.yaml:11\); release 'web' is not in the output$/m);
  });

  it('never destroys in an environment where a document could not be rendered: the release is unknown there', () => {
    // prod sets no `extra`: helmfile fails on the condition there, so what prod runs is not known.
    const prodOnly = 'environments:\n  default:\n    values:\n      - extra: false\n  prod: {}\n---\nreleases:\n  - name: web\n    chart: ./web\n{{- if .Values.extra }}\n  - name: extra\n    chart: ./extra\n{{- end }}\n';
    const files = { read: (p: string) => (p === '/project/helmfile.yaml' ? prodOnly : undefined), list: () => [], real: (p: string) => p };
    const read = readHelmfile('/project/helmfile.yaml', { files });
    assert.deepEqual(read.incomplete, { prod: true });
    const result = convertHelmfile({ ...read, file: 'helmfile.yaml', path: (p) => p });
    assert.deepEqual(result.stack.charts.map((c) => c.name), ['web']);
    assert.deepEqual(result.stack.environments, { prod: { charts: {} } }, 'web is not destroyed in prod');
    assert.ok(result.notConverted.some((i) => /document 2 cannot be rendered in environment 'prod'.*\.Values\.extra is not set/.test(i.what)));
  });
});

describe('import corpus: environments with .gotmpl values and SOPS secrets sealed with a key made here', () => {
  // Sentinels: each must appear in no output, file written, plan, or helm argv.
  const SECRETS = {
    default: { db: { password: 'Sentinel-Corpus-Dev-31f7', port: 5432 }, apiKey: 'key-dev-0a9e', features: [{ name: 'billing', token: 'tok-dev-77c2' }], tls: { enabled: true } },
    production: { db: { password: 'Sentinel-Corpus-Prod-c4d2', port: 6432 }, apiKey: 'key-prod-5be1', features: [{ name: 'billing', token: 'tok-prod-1d08' }], tls: { enabled: false } },
  };
  const SENTINELS = ['Sentinel-Corpus-Dev-31f7', 'key-dev-0a9e', 'tok-dev-77c2', 'Sentinel-Corpus-Prod-c4d2', 'key-prod-5be1', 'tok-prod-1d08'];
  const leaks = (text: string) => SENTINELS.filter((s) => text.includes(s));

  /** The corpus folder with a local chart, each environment's secrets sealed to a key made now, and that key in a 0600 file. */
  async function project(): Promise<{ dir: string; keyFile: string; otherKeyFile: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-sops-'));
    await cp(join(CORPUS, 'sops-environments'), dir, { recursive: true });
    await cp(resolve('test/fixtures/charts/settings'), join(dir, 'charts', 'api'), { recursive: true });
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    await mkdir(join(dir, 'secrets'));
    for (const [environment, data] of Object.entries(SECRETS)) await writeFile(join(dir, 'secrets', `${environment}.sops.yaml`), await sealSopsYaml(data, { recipients: [recipient] }));
    const keys = await mkdtemp(join(tmpdir(), 'helmcycle-import-sops-keys-'));
    const keyFile = join(keys, 'keys.txt');
    await writeFile(keyFile, `# made by this test\n${identity}\n`, { mode: 0o600 });
    const otherKeyFile = join(keys, 'other.txt');
    await writeFile(otherKeyFile, `${await generateIdentity()}\n`, { mode: 0o600 });
    return { dir, keyFile, otherKeyFile };
  }

  /** Runs `fn` with the sops key variables set as given (others unset), restoring them after. */
  async function withKeyEnv<T>(keyFile: string, dir: string, fn: () => Promise<T>): Promise<T> {
    const names = ['SOPS_AGE_KEY_FILE', 'SOPS_AGE_KEY', 'XDG_CONFIG_HOME'] as const;
    const saved = names.map((n) => process.env[n]);
    process.env.SOPS_AGE_KEY_FILE = keyFile;
    delete process.env.SOPS_AGE_KEY;
    process.env.XDG_CONFIG_HOME = join(dir, 'no-config');
    try {
      return await fn();
    } finally {
      names.forEach((n, i) => (saved[i] === undefined ? delete process.env[n] : (process.env[n] = saved[i])));
    }
  }

  it('imports each environment\'s secrets file, resolves its values with the key, and no secret reaches the output, plan or argv', async () => {
    const { dir, keyFile } = await project();
    try {
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
      const out = await run(['import', 'helmfile.yaml.gotmpl'], dir);
      assert.equal(out.code, 0, out.stderr);
      const written = await readFile(join(dir, 'helmcycle.yaml'), 'utf8');
      assert.deepEqual(leaks(out.stdout + out.stderr + written), []);
      // helmfile gives production only its own file; helmcycle adds an environment's files to the chart's.
      assert.match(out.stdout, /in environment 'production', the secrets file\(s\) \.\/secrets\/default\.sops\.yaml of the default environment are replaced, not added to/);

      for (const environment of ['default', 'production'] as const) {
        const stack = await loadStack(undefined, { cwd: dir, ...(environment === 'default' ? {} : { environment }) });
        const chart = stack.charts.find((c) => c.name === 'api')!;
        const definition = chart.definition as typeof chart.definition & { secretValuesFiles?: string[] };
        const files = environment === 'default' ? ['default'] : ['default', 'production'];
        assert.deepEqual(definition.secretValuesFiles, files.map((f) => join(dir, 'secrets', `${f}.sops.yaml`)), environment);
        // The environment's .gotmpl values, rendered at import (an environment's come after the chart's: later wins in helm).
        const rendered = { default: { replicaCount: 1, ingress: { enabled: false, hostname: 'api.default.shop.example.com' } }, production: { replicaCount: 3, ingress: { enabled: true, hostname: 'api.shop.example.com' } } };
        assert.deepEqual(definition.values, files.map((f) => rendered[f as keyof typeof rendered]), environment);
        const resolved = await resolveStackSecrets(stack, { env: { SOPS_AGE_KEY_FILE: keyFile, XDG_CONFIG_HOME: join(dir, 'no-config') } });
        const opened = resolved.charts.find((c) => c.name === 'api')!;
        assert.deepEqual((opened.definition as { secretValues?: unknown }).secretValues, files.map((f) => SECRETS[f as keyof typeof SECRETS]), environment);

        const secret = SECRETS[environment];
        const helm = new FakeHelm();
        helm.manifest = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: api', 'data:', `  url: postgres://app:${secret.db.password}@db:${secret.db.port}`, `  apiKey: ${secret.apiKey}`, `  token: ${secret.features[0]!.token}`].join('\n');
        const plan = await planChart(opened, { helm, kube: new FakeKube(), command: 'apply', masker: maskerForSpecs([opened.definition]) });
        const text = formatPlan([plan]) + formatPlanJson([plan]);
        assert.match(text, /ConfigMap\/shop\/api/);
        assert.deepEqual(leaks(text), [], environment);
      }

      // helm's argv, through the CLI with a helm that logs its argv and renders what it reads on stdin.
      const argvLog = join(dir, 'argv.log');
      const helm = join(dir, 'fake-helm');
      await writeFile(helm, ['#!/bin/sh', `printf '%s\\n' "$*" >> '${argvLog}'`, 'case "$1" in version) echo v3.17.0; exit 0;; esac', "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: api\\ndata:\\n  values.yaml: |\\n'", "sed 's/^/    /'", ''].join('\n'));
      await chmod(helm, 0o755);
      let output = '';
      const code = await withKeyEnv(keyFile, dir, () => main(['--helm', helm, 'template', '-e', 'production'], { stdout: (t) => (output += t), stderr: (t) => (output += t), interactive: false, cwd: dir }));
      assert.equal(code, 0, output);
      assert.match(output, /password: \*\*\*/, 'helm was given the decrypted values (on stdin), shown masked');
      // Every secret string and number is masked; a boolean is not (masking it would blank every `true`), so it tells the file.
      assert.match(output, /port: \*\*\*\n[\s\S]*tls:\n\s+enabled: false/, "production's secrets file, over the default's");
      const argv = await readFile(argvLog, 'utf8');
      assert.match(argv, /--values=- /);
      assert.deepEqual(leaks(output + argv), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('with a wrong key: fails naming the secrets file, and helm is not run', async () => {
    const { dir, otherKeyFile } = await project();
    try {
      assert.equal((await run(['import', 'helmfile.yaml.gotmpl'], dir)).code, 0);
      const stack = await loadStack(undefined, { cwd: dir });
      const error = await resolveStackSecrets(stack, { env: { SOPS_AGE_KEY_FILE: otherKeyFile, XDG_CONFIG_HOME: join(dir, 'no-config') } }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof StackConfigError, String(error));
      const message = error.message;
      assert.match(message, /chart 'api' has a secret that cannot be read/);
      assert.match(message, /secrets\/default\.sops\.yaml: none of the age keys found \(looked in SOPS_AGE_KEY_FILE=.*other\.txt\) opens it; it is encrypted to age1/);
      assert.deepEqual(leaks(message), []);

      const argvLog = join(dir, 'argv.log');
      const helm = join(dir, 'fake-helm');
      await writeFile(helm, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\n`);
      await chmod(helm, 0o755);
      let output = '';
      const code = await withKeyEnv(otherKeyFile, dir, () => main(['--helm', helm, 'template'], { stdout: (t) => (output += t), stderr: (t) => (output += t), interactive: false, cwd: dir }));
      assert.equal(code, 2, output);
      assert.match(output, /chart 'api'/);
      assert.match(output, /secretValuesFiles\[0\]: .*secrets\/default\.sops\.yaml: none of the age keys found/s);
      assert.deepEqual(leaks(output), []);
      assert.equal(await readFile(argvLog, 'utf8').catch(() => ''), '', 'helm was not run');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
