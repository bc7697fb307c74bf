// The npm package as a new user meets it, against the local cluster: `npm pack` from a clean copy of
// the checkout (its tracked files only), installed with `npm i -D` into two fresh projects, one made by
// `npm init -y` (CommonJS) and one with "type": "module"; then, in each, `npx helmcycle init` for a .ts,
// .mts, .js and YAML config of a chart the local repository serves, `npx helmcycle plan` with Helm 3 and
// Helm 4, `npx tsc --strict --noEmit` on the scaffolded TypeScript and JavaScript, and the README's
// quick start through `apply`. helmcycle's dependencies come from the npm registry through the local
// npm cache.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { env, helmsUnderTest, uniqueNamespace } from './support.js';

const ROOT = resolve('.');
const helms = helmsUnderTest();
const work = await mkdtemp(join(tmpdir(), 'helmcycle-package-'));
/** Namespaces an apply created, removed at the end. */
const applied: string[] = [];

/** The environment of a user's shell: none of the npm_* variables of an enclosing `npm test`. */
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

async function run(cwd: string, command: string, args: string[]) {
  const result = await execa(command, args, { cwd, env: userEnv, extendEnv: false, reject: false, all: true });
  return { code: result.exitCode, stdout: result.stdout, output: result.all };
}

async function ok(cwd: string, command: string, args: string[]): Promise<string> {
  const result = await run(cwd, command, args);
  assert.equal(result.code, 0, `${command} ${args.join(' ')} in ${cwd} failed:\n${result.output}`);
  return result.stdout;
}

/** A clean checkout: the tracked files alone (no dist/, nothing untracked), with the checkout's dependencies. */
async function cleanCopy(): Promise<string> {
  const copy = join(work, 'checkout');
  const files = (await ok(ROOT, 'git', ['ls-files', '-z'])).split('\0').filter((f) => f && f !== 'node_modules');
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree, not yet committed
    await mkdir(dirname(join(copy, file)), { recursive: true });
    await copyFile(join(ROOT, file), join(copy, file));
  }
  await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

async function pack(): Promise<{ tarball: string; files: string[] }> {
  const checkout = await cleanCopy();
  const [info] = JSON.parse(await ok(checkout, 'npm', ['pack', '--json', '--pack-destination', work])) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(work, info!.filename), files: info!.files.map((f) => f.path) };
}

async function project(kind: 'cjs' | 'esm', tarball: string): Promise<string> {
  const dir = join(work, kind);
  await mkdir(dir);
  await ok(dir, 'npm', ['init', '-y']);
  if (kind === 'esm') await ok(dir, 'npm', ['pkg', 'set', 'type=module']);
  await ok(dir, 'npm', ['i', '-D', '--prefer-offline', '--no-audit', '--no-fund', tarball, 'typescript']);
  return dir;
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

let packed: { tarball: string; files: string[] };
const projects: Partial<Record<'cjs' | 'esm', string>> = {};

before(async () => {
  packed = await pack();
  // Both installs at once: most of the time is the registry and the cache, not the CPU.
  [projects.cjs, projects.esm] = await Promise.all([project('cjs', packed.tarball), project('esm', packed.tarball)]);
});

after(async () => {
  const kube = helms[0]!.kube;
  for (const namespace of applied) await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the built code, the sources its maps point at, and no tests', async () => {
    for (const file of ['dist/cli/entry.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cjs-entry.cjs', 'dist/config.js', 'dist/config.d.ts', 'bin/helmcycle.mjs', 'schema/helmcycle.schema.json', 'src/index.ts']) {
      assert.ok(packed.files.includes(file), `${file} is in the package`);
    }
    assert.deepEqual(packed.files.filter((f) => /^(test|bench|cluster|examples)\//.test(f) || f === 'tsconfig.json'), []);
    const installed = join(projects.cjs!, 'node_modules', 'helmcycle');
    const maps = (await filesUnder(installed)).filter((f) => f.endsWith('.map'));
    assert.ok(maps.length > 100, `source and declaration maps are shipped (${maps.length})`);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources, sourceRoot } = JSON.parse(await readFile(map, 'utf8')) as { sources: string[]; sourceRoot?: string };
      for (const source of sources) if (!existsSync(resolve(dirname(map), sourceRoot ?? '', source))) missing.push(`${map}: ${source}`);
    }
    assert.deepEqual(missing, []);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(await ok(projects.esm!, 'npx', ['helmcycle', '--version']), version);
  });

  it("a config importing the main entry 'helmcycle' loads in both projects, .ts and .js (CommonJS through require(esm))", async () => {
    const chart = (name: string) => `{ charts: [{ name: '${name}', chart: 'web', repository: '${env.repo}' }] }`;
    const configs = {
      cjs: {
        'helmcycle.config.ts': `import { defineStack, formatEvent } from 'helmcycle';\nif (typeof formatEvent !== 'function') throw new Error('no formatEvent');\nexport default defineStack(${chart('main-ts')});\n`,
        'helmcycle.config.js': `const { defineStack, runChart } = require('helmcycle');\nif (typeof runChart !== 'function') throw new Error('no runChart');\nmodule.exports = defineStack(${chart('main-js')});\n`,
      },
      esm: {
        'helmcycle.config.ts': `import { defineStack, formatEvent } from 'helmcycle';\nif (typeof formatEvent !== 'function') throw new Error('no formatEvent');\nexport default defineStack(${chart('main-ts')});\n`,
        'helmcycle.config.js': `import { defineStack, runChart } from 'helmcycle';\nif (typeof runChart !== 'function') throw new Error('no runChart');\nexport default defineStack(${chart('main-js')});\n`,
      },
    };
    for (const kind of ['cjs', 'esm'] as const) {
      const dir = join(projects[kind]!, 'main-entry');
      await mkdir(dir);
      for (const [file, text] of Object.entries(configs[kind])) {
        await writeFile(join(dir, file), text);
        const listed = await ok(dir, 'npx', ['helmcycle', '-c', file, 'list', '-o', 'json']);
        assert.deepEqual(listed.split('\n').map((line) => (JSON.parse(line) as { name: string }).name), [file.endsWith('.ts') ? 'main-ts' : 'main-js'], `${kind} ${file}`);
      }
    }
  });

  it("a CommonJS config's require('helmcycle') gets the command's own classes: a StackConfigError it throws is reported as one", async () => {
    // One copy of each class between the command and the package's entries (the build's shared chunks): a
    // second copy would make the CLI's `instanceof StackConfigError` false, and the error would come out
    // wrapped as "could not load: ...".
    const dir = join(projects.cjs!, 'same-classes');
    await mkdir(dir);
    await writeFile(join(dir, 'helmcycle.config.js'), "const { StackConfigError } = require('helmcycle');\nthrow new StackConfigError('thrown by the config');\n");
    const result = await run(dir, 'npx', ['helmcycle', 'list']);
    assert.equal(result.code, 2, result.output);
    assert.match(result.output, /^helmcycle: thrown by the config$/m);
  });

  for (const kind of ['cjs', 'esm'] as const) {
    for (const format of ['ts', 'mts', 'js', 'yaml'] as const) {
      it(`${kind} project: init --format ${format}, then plan with Helm 3 and Helm 4${format === 'ts' || format === 'mts' || format === 'js' ? ', and tsc --strict passes' : ''}`, async () => {
        const dir = join(projects[kind]!, format);
        await mkdir(dir);
        const namespace = uniqueNamespace(`pkg-${kind}-${format}`);
        const file = format === 'yaml' ? 'helmcycle.yaml' : `helmcycle.config.${format}`;
        const written = await ok(dir, 'npx', ['helmcycle', 'init', '--format', format, '--chart', 'web', '--repo', env.repo, '--chart-version', '1.0.0', '--namespace', namespace]);
        assert.equal(written, `wrote ${file}: release web in namespace ${namespace}, chart web from ${env.repo}\nnext: npx helmcycle plan`);
        for (const helm of helms) {
          const plan = await ok(dir, 'npx', ['helmcycle', 'plan', '--helm', helm.binary]);
          assert.match(plan, new RegExp(`^\\+ web \\(${namespace}\\): install: `, 'm'), `${helm.label}:\n${plan}`);
          assert.match(plan, /^plan: 1 to install, 0 to upgrade/m, helm.label);
        }
        if (format === 'yaml') return;
        await ok(dir, 'npx', ['tsc', '--strict', '--noEmit', ...(format === 'js' ? ['--allowJs', '--checkJs'] : []), file]);
      });
    }
  }

  it("the README's quick start, word for word after the install: init, plan, apply (then plan says unchanged)", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const quickStart = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(quickStart, 'README has a Quick start with a sh block');
    const commands = quickStart.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    assert.deepEqual(commands, ['npm i -D helmcycle', 'npx helmcycle init --chart CHART --repo REPO_URL', 'npx helmcycle plan', 'npx helmcycle apply']);
    for (const [kind, helm] of [['cjs', helms[0]!], ['esm', helms[1]!]] as const) {
      const dir = join(projects[kind]!, 'quick-start');
      await mkdir(dir);
      const namespace = uniqueNamespace(`pkg-quick-${kind}`);
      applied.push(namespace);
      // `npm i -D helmcycle` was the install of the packed tarball; CHART and REPO_URL are a chart the local
      // repository serves.
      await ok(dir, 'npx', ['helmcycle', 'init', '--chart', 'web', '--repo', env.repo, '--namespace', namespace]);
      await ok(dir, 'npx', ['helmcycle', 'plan', '--helm', helm.binary]);
      await ok(dir, 'npx', ['helmcycle', 'apply', '--helm', helm.binary]);
      const again = await ok(dir, 'npx', ['helmcycle', 'plan', '--helm', helm.binary]);
      assert.match(again, new RegExp(`^= web \\(${namespace}\\): skip: `, 'm'), `${kind}, ${helm.label}:\n${again}`);
    }
  });
});
