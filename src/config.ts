// `helmcycle/config`: what a config file needs, and nothing else. Only types and identity helpers, so
// loading helmcycle.config.ts pulls in none of the Helm, Kubernetes or diff code, and type-checking it
// (tsc --strict, no skipLibCheck) never reaches @kubernetes/client-node's declarations, which do not
// check without @types/ws. The main entry re-exports both helpers: `import { defineStack } from
// 'helmcycle'` is the same function.
import type { ChartDefinition, ChartPayload } from './lifecycle/types.js';
import type { StackDefinition } from './stack/types.js';

export type { ChartDefaults, StackChart, StackDefinition, StackEnvironment } from './stack/types.js';
export type { ChartSpecInput } from './config/chart-spec.js';
export type { ChartDefinition, ChartPayload, CustomCheck, Lifecycle, Phase, PhaseContext } from './lifecycle/types.js';
export type { Health, HealthFunction, HealthFunctions, HealthStatus } from './health/types.js';
export type { RefResolver, ValueRef } from './secrets/refs/value-ref.js';

/** Declares a chart with full type checking of its spec, phases and payload. */
export function defineChart<P extends ChartPayload = ChartPayload>(definition: ChartDefinition<P>): ChartDefinition<P> {
  return definition;
}

/** Declares a stack with full type checking; export it as the default of helmcycle.config.ts. */
export function defineStack(definition: StackDefinition): StackDefinition {
  return definition;
}
