// A YAML stack reads nothing outside its repository (issue 24, item 4): values files, chart folders,
// CRD folders, repository auth files and fleet kubeconfigs, symlinks resolved (the path's own and those
// inside a folder it names), unless the runner allows a folder (--allow-path). A TS config is code.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { StackConfigError } from '../../src/errors.js';
import { loadStack } from '../../src/stack/load.js';
import { stackRoot } from '../../src/stack/path-containment.js';

const SECRET = 'password: TOPSECRET-c0ffee\n';

/** base/secret.yaml outside, base/repo/ a git work tree (a `.git` folder) holding teams/a/ and common/. */
async function layout(options: { git?: boolean } = {}) {
  const base = await mkdtemp(join(tmpdir(), 'helmcycle-contain-'));
  const repo = join(base, 'repo');
  const team = join(repo, 'teams', 'a');
  await mkdir(team, { recursive: true });
  await mkdir(join(repo, 'common'), { recursive: true });
  if (options.git ?? true) await mkdir(join(repo, '.git'));
  await writeFile(join(base, 'secret.yaml'), SECRET);
  await writeFile(join(repo, 'common', 'values.yaml'), 'replicas: 2\n');
  await mkdir(join(team, 'chart', 'templates'), { recursive: true });
  await writeFile(join(team, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
  return { base, repo, team };
}

async function stackIn(dir: string, chart: string, file = 'helmcycle.yaml') {
  await writeFile(join(dir, file), chart);
  return join(dir, file);
}

async function refused(file: string, allowPaths?: string[]) {
  try {
    await loadStack(file, { ...(allowPaths ? { allowPaths } : {}) });
  } catch (error) {
    assert.ok(error instanceof StackConfigError, String(error));
    return error;
  }
  assert.fail('the stack loaded');
}

describe('paths of a YAML stack stay inside its repository', () => {
  it('finds the repository by walking up to .git, else takes the stack file\'s folder', async () => {
    const withGit = await layout();
    assert.equal(stackRoot(join(withGit.team, 'helmcycle.yaml')), withGit.repo);
    const without = await layout({ git: false });
    assert.equal(stackRoot(join(without.team, 'helmcycle.yaml')), without.team);
  });

  it('keeps a monorepo\'s ../../common/values.yaml working', async () => {
    const { team } = await layout();
    const file = await stackIn(team, 'charts: [{name: web, chart: ./chart, valuesFiles: [../../common/values.yaml]}]\n');
    const stack = await loadStack(file);
    assert.equal(stack.charts[0]!.name, 'web');
  });

  it('refuses an absolute values file outside, naming the file, chart, field and path', async () => {
    const { base, team } = await layout();
    const file = await stackIn(team, `charts: [{name: web, chart: ./chart, valuesFiles: [../../common/values.yaml, ${join(base, 'secret.yaml')}]}]\n`);
    const error = await refused(file);
    assert.equal(error.chart, 'web');
    assert.equal(error.file, file);
    assert.deepEqual(error.issues.map((i) => i.field), ['valuesFiles[1]']);
    assert.match(error.message, new RegExp(`^${file}: chart 'web' names a path outside the stack's folder \\(a YAML stack reads only files inside its repository; the runner may allow a folder with --allow-path\\)\\n  - valuesFiles\\[1\\]: ${join(base, 'secret.yaml')} is outside the stack's repository`));
  });

  it('refuses ../ past the repository, a chart of ../../.., and a folder with no .git as its own root', async () => {
    const { team } = await layout();
    assert.deepEqual((await refused(await stackIn(team, 'charts: [{name: web, chart: ./chart, valuesFiles: [../../../secret.yaml]}]\n'))).issues.map((i) => i.field), ['valuesFiles[0]']);
    assert.deepEqual((await refused(await stackIn(team, 'charts: [{name: web, chart: ../../..}]\n'))).issues.map((i) => i.field), ['chart']);
    const plain = await layout({ git: false });
    const error = await refused(await stackIn(plain.team, 'charts: [{name: web, chart: ./chart, valuesFiles: [../../common/values.yaml]}]\n'));
    assert.match(error.message, /is outside the stack's folder/);
  });

  it('resolves symlinks: a values file that links out, and a link inside the chart folder', async () => {
    const { base, team } = await layout();
    await symlink(join(base, 'secret.yaml'), join(team, 'innocent.yaml'));
    const linked = await refused(await stackIn(team, 'charts: [{name: web, chart: ./chart, valuesFiles: [innocent.yaml]}]\n'));
    assert.match(linked.issues[0]!.message, new RegExp(`innocent\\.yaml \\(really ${join(base, 'secret.yaml')}\\) is outside`));
    await symlink(join(base, 'secret.yaml'), join(team, 'chart', 'templates', 'leak.yaml'));
    const inside = await refused(await stackIn(team, 'charts: [{name: web, chart: ./chart}]\n'));
    assert.equal(inside.issues[0]!.field, 'chart');
    assert.match(inside.issues[0]!.message, /the symlink .*templates\/leak\.yaml → .*secret\.yaml leads outside/);
  });

  it('checks CRD folders, repository auth files and fleet kubeconfigs too', async () => {
    const { base, team } = await layout();
    const crds = await refused(await stackIn(team, `charts: [{name: web, chart: ./chart, crds: {path: ${base}}}]\n`));
    assert.equal(crds.issues[0]!.field, 'crds.path');
    const auth = await refused(await stackIn(team, `charts: [{name: web, chart: web, repository: https://r.example, repositoryAuth: {username: u, password: pass-word, caFile: ${join(base, 'secret.yaml')}}}]\n`));
    assert.equal(auth.issues[0]!.field, 'repositoryAuth.caFile');
    const fleet = await refused(await stackIn(team, `targets: [{name: prod, kubeconfig: ${join(base, 'secret.yaml')}}]\ncharts: [{name: web, chart: ./chart}]\n`));
    assert.equal(fleet.issues[0]!.field, 'targets[0].kubeconfig');
  });

  it('reads a folder the runner allows (--allow-path), and leaves a TS config\'s paths alone', async () => {
    const { base, team } = await layout();
    const file = await stackIn(team, `charts: [{name: web, chart: ./chart, valuesFiles: [${join(base, 'secret.yaml')}]}]\n`);
    assert.equal((await loadStack(file, { allowPaths: [base] })).charts.length, 1);
    const ts = await stackIn(team, `export default { charts: [{ name: 'web', chart: './chart', valuesFiles: [${JSON.stringify(join(base, 'secret.yaml'))}] }] };\n`, 'helmcycle.config.ts');
    assert.equal((await loadStack(ts)).charts.length, 1);
  });
});

describe('helmcycle template with a YAML stack that names a file outside', () => {
  it('exits 2 and the file\'s bytes appear nowhere, though helm would have printed them', async () => {
    const { base, team } = await layout();
    // A stand-in for helm that prints every values file it is given: what a chart rendering
    // {{ toYaml .Values }} into a ConfigMap would do with it.
    const helm = join(base, 'helm');
    await writeFile(helm, '#!/bin/sh\nif [ "$1" = version ]; then echo v3.17.2; exit 0; fi\nnext=\nfor a in "$@"; do\n  if [ -n "$next" ]; then cat "$a"; next=; continue; fi\n  case "$a" in --values=*) cat "${a#*=}" ;; --values|-f) next=1 ;; esac\ndone\n');
    await chmod(helm, 0o755);
    await stackIn(team, `charts: [{name: web, chart: ./chart, valuesFiles: [../../../secret.yaml]}]\n`);
    let stdout = '';
    let stderr = '';
    const code = await main(['--helm', helm, 'template'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: team });
    assert.equal(code, 2, stderr);
    assert.ok(!stdout.includes('TOPSECRET') && !stderr.includes('TOPSECRET'), 'the secret file was rendered');
    assert.match(stderr, /chart 'web' names a path outside the stack's folder \(.*--allow-path\)\n {2}- valuesFiles\[0\]: .*secret\.yaml is outside the stack's repository/);
    // With the folder allowed, the same stack renders it: the stand-in is a fair witness.
    stdout = '';
    assert.equal(await main(['--helm', helm, '--allow-path', base, 'template'], { stdout: (t) => (stdout += t), stderr: () => {}, interactive: false, cwd: team }), 0);
    assert.match(stdout, /TOPSECRET/);
  });
});

describe('links that cannot be followed', () => {
  it('judges a link loop by where it points, not by where it sits', async () => {
    const { base, team } = await layout();
    // team/loop.yaml → base/outside-loop → team/loop.yaml: realpath fails (ELOOP); the link points outside.
    await symlink(join(base, 'outside-loop'), join(team, 'loop.yaml'));
    await symlink(join(team, 'loop.yaml'), join(base, 'outside-loop'));
    const error = await refused(await stackIn(team, 'charts: [{name: web, chart: ./chart, valuesFiles: [loop.yaml]}]\n'));
    assert.equal(error.issues[0]!.field, 'valuesFiles[0]');
    assert.match(error.issues[0]!.message, /loop\.yaml \(really .*outside-loop\) is outside/);
  });
});
