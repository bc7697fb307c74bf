// CPU seconds of the helm processes themselves (user + system, read by /usr/bin/time), for N sequential
// `helm upgrade --install --wait` of the small web fixture chart from a local path, with Helm 3 and Helm 4.
// Variants run interleaved round by round (A, B, C, A, B, C, ...) so a busy machine hurts them alike:
//   default       the argv as helm gets it without the flag
//   no-openapi    + --disable-openapi-validation (no download and parse of the server's OpenAPI document)
//   no-openapi-template  the same, plus the `helm template` helmcycle runs to dry-run the objects strictly
//   cold-cache    + a fresh, empty KUBECACHEDIR per process (what every helm would pay without a shared
//                 discovery cache)
//   memory-cache  no-openapi-template with KUBECACHEDIR in memory (/dev/shm), one folder for every run, as
//                 helmcycle gives its helm children: helm invalidates the discovery cache in each process
//                 (getCapabilities), so it fetches discovery anew and only writes the files; on tmpfs the
//                 writes cost less than on disk
// Node's process.cpuUsage() does not count children, hence /usr/bin/time (apt-get install time).
//   npm run bench:helm-cpu [-- rounds]
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { deleteNamespace, median, namespace, need, printTable } from './support.js';

const rounds = Number(process.argv[2] ?? 10);
const chart = resolve('test/fixtures/charts/web');
const timeBinary = '/usr/bin/time';
if (!existsSync(timeBinary)) throw new Error(`${timeBinary} is missing: apt-get install time`);

interface Variant {
  name: string;
  flags: string[];
  coldCache: boolean;
  /** A `helm template` first, as helmcycle's strict validation renders the objects it dry-runs. */
  template?: boolean;
  /** KUBECACHEDIR in memory, shared by every run of the variant. */
  memoryCache?: boolean;
}
const variants: Variant[] = [
  { name: 'default', flags: [], coldCache: false },
  { name: 'no-openapi', flags: ['--disable-openapi-validation'], coldCache: false },
  { name: 'no-openapi-template', flags: ['--disable-openapi-validation'], coldCache: false, template: true },
  { name: 'cold-cache', flags: [], coldCache: true },
  { name: 'memory-cache', flags: ['--disable-openapi-validation'], coldCache: false, template: true, memoryCache: true },
];
const memoryRoot = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** CPU seconds (user + system) of one helm run, and its exit code. */
async function helmCpu(binary: string, argv: string[], env: Record<string, string>): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'helm-cpu-'));
  const out = join(dir, 'time');
  try {
    const run = await execa(timeBinary, ['-f', '%U %S', '-o', out, binary, ...argv], { reject: false, env });
    if (run.exitCode !== 0) throw new Error(`helm ${argv.join(' ')} failed: ${run.stderr}`);
    const [user, system] = (await readFile(out, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
    return user! + system!;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rows: (string | number)[][] = [['helm', 'variant', `total CPU of ${rounds} runs (s)`, 'median per run (s)', 'vs default']];
for (const [label, binary] of [['helm3', need('HELMCYCLE_HELM3')], ['helm4', need('HELMCYCLE_HELM4')]] as const) {
  const ns = namespace(`bench-cpu-${label}`);
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const memoryCache = await mkdtemp(join(memoryRoot, 'helm-cpu-kubecache-'));
  try {
    // One release per variant; the first run installs, the rest are no-change upgrades, as in the issue.
    for (let round = 0; round < rounds; round++) {
      for (const variant of variants) {
        const cache = variant.coldCache ? await mkdtemp(join(tmpdir(), 'helm-cpu-kubecache-')) : undefined;
        const argv = ['upgrade', '--install', `web-${variant.name}`, chart, '--namespace', ns, '--create-namespace', '--wait', '--timeout', '300s', ...variant.flags];
        try {
          const cacheDir = cache ?? (variant.memoryCache ? memoryCache : undefined);
          const env = { HELM_NO_PLUGINS: '1', ...(cacheDir ? { KUBECACHEDIR: cacheDir } : {}) };
          const render = variant.template ? await helmCpu(binary, ['template', `web-${variant.name}`, chart, '--namespace', ns], env) : 0;
          samples.get(variant.name)!.push(render + (await helmCpu(binary, argv, env)));
        } finally {
          if (cache) await rm(cache, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await deleteNamespace('kubectl', ns);
    await rm(memoryCache, { recursive: true, force: true });
  }
  const base = samples.get('default')!.reduce((a, b) => a + b, 0);
  for (const variant of variants) {
    const values = samples.get(variant.name)!;
    const total = values.reduce((a, b) => a + b, 0);
    rows.push([label, variant.name, total.toFixed(2), median(values).toFixed(2), `${(((total - base) / base) * 100).toFixed(0)}%`]);
  }
}
printTable(rows);
