// Readiness: helm's own --wait against helmcycle's namespace observer as the waiter, for a healthy chart;
// a crash-looping chart under helm's timeout against fail-fast; and what helm does with a SIGTERM during
// --wait with atomic (the state the release ends in). Helm 3 and Helm 4, the web fixture chart.
//   set -a; . <cluster env>; set +a; node --import tsx bench/readiness.ts [helm3|helm4|both] [rounds]
// "helm --wait": `helm upgrade --install --wait` (Helm 4: --wait=watcher). "no wait + observer": the
// same without --wait, then helmcycle's observer until every workload of the release is ready; that is
// what helmcycle's own wait would cost, without atomic semantics (the release is recorded deployed
// before it is ready, and post-install hooks run before the wait).
import { execa } from 'execa';
import { createClients } from '../src/clients.js';
import type { DeployObservation } from '../src/kube/deploy-observation.js';
import { observeRelease } from '../src/kube/namespace-observer.js';
import { runChart } from '../src/lifecycle/runner.js';
import { median, namespace, need, printTable, seconds } from './support.js';

const which = process.argv[2] ?? 'both';
const rounds = Number(process.argv[3] ?? 5);
const chart = 'test/fixtures/charts/web';
const CRASH_TIMEOUT_S = 30;
const helms = [['helm3', need('HELMCYCLE_HELM3')], ['helm4', need('HELMCYCLE_HELM4')]].filter(([label]) => which === 'both' || which === label) as [string, string][];

function allReady(observation: DeployObservation): boolean {
  const present = observation.workloads.filter((w) => w.present);
  return present.length > 0 && present.every((w) => w.generations.at(-1)?.state.ready === true);
}

console.log(`load before: ${(await execa('uptime')).stdout.trim()}`);
for (const [label, binary] of helms) {
  const { helm, kube } = createClients({ helmBinary: binary });
  const major = (await helm.version()).major;
  const waitFlag = major >= 4 ? '--wait=watcher' : '--wait';
  const atomicFlag = major >= 4 ? '--rollback-on-failure' : '--atomic';
  const ns = namespace(`bench-ready-${label}`);
  await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const upgrade = (release: string, message: string, extra: string[]) =>
    // No forced kill after a SIGTERM: helm must be let to finish its rollback.
    execa(binary, ['upgrade', '--install', release, chart, '--namespace', ns, '--set', `message=${message}`, '--timeout', '120s', ...extra], { reject: false, forceKillAfterDelay: false });
  try {
    // A healthy chart, alternating which waiter goes first; each round is an upgrade (a new pod).
    const times = { helm: [] as number[], observer: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 ? (['observer', 'helm'] as const) : (['helm', 'observer'] as const)) {
        const release = `web-${mode}`;
        const started = performance.now();
        if (mode === 'helm') {
          const result = await upgrade(release, `r${round}`, [waitFlag]);
          if (result.exitCode !== 0) throw new Error(String(result.stderr));
        } else {
          const subscription = observeRelease(kube, { release, namespace: ns }, { intervalMs: 250 });
          const result = await upgrade(release, `r${round}`, []);
          if (result.exitCode !== 0) throw new Error(String(result.stderr));
          // Until a read that started after helm's exit (one in flight then may be older) sees it ready.
          const readsAtExit = subscription.current().reads;
          while (!(subscription.current().reads > readsAtExit + 1 && allReady(subscription.current()))) await new Promise((resolve) => setTimeout(resolve, 20));
          subscription.close();
        }
        times[mode].push(performance.now() - started);
      }
    }

    // A crash-looping upgrade under atomic: helm's own timeout, then fail-fast.
    const crash = async (failFast: boolean) => {
      const spec = { name: `crash-${failFast ? 'ff' : 'to'}`, namespace: ns, chart, timeoutSeconds: CRASH_TIMEOUT_S, atomic: true, failFast, remedies: { maxAttempts: 0 } };
      await runChart({ ...spec, set: { message: 'good' } }, { helm, kube });
      const started = performance.now();
      const outcome = await runChart({ ...spec, set: { message: 'bad', fakeBehavior: 'crash-loop' } }, { helm, kube }).then(() => 'succeeded?!', (e: Error & { failure?: { class: string } }) => e.failure?.class ?? e.message);
      const ms = performance.now() - started;
      const status = await helm.status({ release: spec.name, namespace: ns });
      return { ms, outcome, status: `${status?.status} r${status?.revision}` };
    };
    const timedOut = await crash(false);
    const failedFast = await crash(true);

    // SIGTERM to a bare helm during --wait with atomic, 5 s in: what helm leaves.
    await upgrade('term', 'good', [waitFlag]);
    const started = performance.now();
    const running = upgrade('term', 'bad', [waitFlag, atomicFlag, '--set', 'fakeBehavior=never-ready']);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    running.kill('SIGTERM');
    const ended = await running;
    const termMs = performance.now() - started;
    const termStatus = await helm.status({ release: 'term', namespace: ns });

    console.log(`\n${label} (${(await helm.version()).version}), web fixture chart, ${rounds} rounds:`);
    printTable([
      ['case', 'wall s', 'release after'],
      ['healthy upgrade, helm --wait (median)', seconds(median(times.helm)), 'deployed'],
      ['healthy upgrade, no wait + observer (median)', seconds(median(times.observer)), 'deployed (before ready)'],
      [`crash loop, atomic, helm's ${CRASH_TIMEOUT_S} s timeout (${timedOut.outcome})`, seconds(timedOut.ms), timedOut.status],
      [`crash loop, atomic, fail-fast 10 s (${failedFast.outcome})`, seconds(failedFast.ms), failedFast.status],
      [`SIGTERM 5 s into --wait ${atomicFlag} (exit ${ended.exitCode})`, seconds(termMs), `${termStatus?.status} r${termStatus?.revision}`],
    ]);
  } finally {
    await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  }
}
console.log(`\nload after: ${(await execa('uptime')).stdout.trim()}`);
