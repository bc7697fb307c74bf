// Version-range migrations: steps a chart runs when the installed version falls in a range, before exec
// ("when upgrading from below 45.0.0: apply the new CRDs, back up Secret X, and reinstall"). Each step is
// plain TypeScript with an optional undo; when a later step, the upgrade or validation fails, the steps
// that ran are undone in reverse order.
import semver from 'semver';
import { HelmcycleError } from '../errors.js';
import type { ObjectRef } from '../kube/types.js';
import { applyCrds, readCrdsFromPath } from '../toolkit/crds.js';
import { backupResources, restoreBackup } from '../toolkit/backup.js';
import { applyReleaseCrds } from './declared-crds.js';
import type { ChartPayload, PhaseContext } from './types.js';

export interface MigrationStep<P extends ChartPayload = ChartPayload> {
  name: string;
  /** Returns the payload to hand on (or nothing to keep it). */
  run(ctx: PhaseContext<P>, payload: P): Promise<P | void>;
  /** Puts back what run changed; called when anything after it fails. */
  undo?(ctx: PhaseContext<P>, payload: P): Promise<void>;
}

export interface Migration<P extends ChartPayload = ChartPayload> {
  name: string;
  /** A semver range the installed chart version must satisfy, e.g. "<45.0.0". */
  from: string;
  /** A range the target version must satisfy; any version when absent. */
  to?: string;
  steps: MigrationStep<P>[];
}

export interface MigrationRecord {
  migration: string;
  /** The steps that ran, in order. */
  steps: string[];
  undone: boolean;
}

export class MigrationError extends HelmcycleError {
  constructor(migration: string, step: string, cause: unknown, undone: readonly string[]) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('PHASE_FAILED', `migration '${migration}' failed at step '${step}': ${reason}${undone.length ? `; undone: ${undone.join(', ')}` : ''}`, {
      cause,
      hint: 'fix the step; the steps before it were undone where they had an undo',
    });
  }
}

/** The migrations that apply to going from the installed version to the target. Pure. */
export function migrationsFor<P extends ChartPayload>(migrations: readonly Migration<P>[], installed: string | undefined, target: string | undefined): Migration<P>[] {
  const from = installed ? semver.valid(semver.coerce(installed)) : null;
  if (!from) return [];
  const to = target ? semver.valid(semver.coerce(target)) : null;
  return migrations.filter((m) => semver.satisfies(from, m.from) && (!m.to || (to !== null && semver.satisfies(to, m.to))));
}

interface Ran<P extends ChartPayload> {
  migration: Migration<P>;
  steps: MigrationStep<P>[];
}

/** Runs the migrations that apply; undoes what ran and throws a MigrationError when a step fails. */
export async function runMigrations<P extends ChartPayload>(ctx: PhaseContext<P>, migrations: readonly Migration<P>[], payload: P): Promise<{ payload: P; ran: Ran<P>[] }> {
  const installed = payload.preExec?.release?.chartVersion;
  const target = payload.prerequisites?.chart.version;
  const ran: Ran<P>[] = [];
  for (const migration of migrationsFor(migrations, installed, target)) {
    ctx.log(`migration '${migration.name}': installed ${installed} is in ${migration.from}`);
    const entry: Ran<P> = { migration, steps: [] };
    ran.push(entry);
    for (const step of migration.steps) {
      try {
        payload = (await step.run(ctx, payload)) ?? payload;
        entry.steps.push(step);
        ctx.log(`migration '${migration.name}': ${step.name} done`);
      } catch (error) {
        const undone = await undoMigrations(ctx, ran, payload);
        throw new MigrationError(migration.name, step.name, error, undone);
      }
    }
  }
  const records: MigrationRecord[] = ran.map((r) => ({ migration: r.migration.name, steps: r.steps.map((s) => s.name), undone: false }));
  return { payload: { ...payload, migrations: records }, ran };
}

/** Undoes the steps that ran, last first; an undo that fails is logged and the rest still run. */
export async function undoMigrations<P extends ChartPayload>(ctx: PhaseContext<P>, ran: readonly Ran<P>[], payload: P): Promise<string[]> {
  const undone: string[] = [];
  for (const entry of [...ran].reverse()) {
    for (const step of [...entry.steps].reverse()) {
      if (!step.undo) continue;
      try {
        await step.undo(ctx, payload);
        undone.push(step.name);
        ctx.log(`migration '${entry.migration.name}': undid ${step.name}`, 'warn');
      } catch (error) {
        ctx.log(`migration '${entry.migration.name}': undoing ${step.name} failed: ${(error as Error).message}`, 'warn');
      }
    }
  }
  return undone;
}

/** Ready-made steps for the common migrations. */
export const migrationSteps = {
  /**
   * Applies CRDs server-side and waits until they are served: those at `path`, or every CRD the release
   * brings (crds/ of the chart and of its enabled subcharts, CRD templates, crds.path).
   */
  applyCrds<P extends ChartPayload>(path?: string): MigrationStep<P> {
    return {
      name: `apply CRDs${path ? ` from ${path}` : ''}`,
      async run(ctx) {
        if (!path) {
          await applyReleaseCrds(ctx);
          return;
        }
        await applyCrds(ctx.kube, await readCrdsFromPath(path), { timeoutMs: ctx.spec.timeoutSeconds * 1_000, signal: ctx.signal });
      },
    };
  },
  /** Saves objects into the release's backup, restored after the install (or by undo). */
  backup<P extends ChartPayload>(refs: ObjectRef[]): MigrationStep<P> {
    return {
      name: `back up ${refs.map((r) => `${r.kind}/${r.name}`).join(', ')}`,
      async run(ctx) {
        await backupResources(ctx.kube, { release: ctx.spec.name, namespace: ctx.spec.namespace }, refs);
      },
      async undo(ctx) {
        await restoreBackup(ctx.kube, { release: ctx.spec.name, namespace: ctx.spec.namespace });
      },
    };
  },
  /** Makes exec uninstall the release and install it anew. */
  reinstall<P extends ChartPayload>(reason = 'a migration asks for a reinstall'): MigrationStep<P> {
    return {
      name: 'reinstall',
      async run(_ctx, payload) {
        return { ...payload, reinstallRequested: reason };
      },
    };
  },
};
