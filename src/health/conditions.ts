// Reading an object's status the way every rule needs it: its conditions and whether the controller has
// seen its latest spec. Pure.
import type { KubeObject } from '../kube/types.js';
import type { Health } from './types.js';

type Json = Record<string, unknown>;

export interface Condition {
  type: string;
  status: string;
  reason: string | undefined;
  message: string | undefined;
  observedGeneration: number | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function statusOf(object: KubeObject): Json {
  return typeof object.status === 'object' && object.status !== null ? object.status : {};
}

export function conditionsOf(object: KubeObject): Condition[] {
  const list = statusOf(object).conditions;
  if (!Array.isArray(list)) return [];
  return list
    .filter((c): c is Json => typeof c === 'object' && c !== null && typeof (c as Json).type === 'string')
    .map((c) => ({
      type: c.type as string,
      status: text(c.status) ?? 'Unknown',
      reason: text(c.reason),
      message: text(c.message),
      observedGeneration: typeof c.observedGeneration === 'number' ? c.observedGeneration : undefined,
    }));
}

export function conditionOf(object: KubeObject, type: string): Condition | undefined {
  return conditionsOf(object).find((c) => c.type === type);
}

/** "Ready=False (Provisioning): waiting for the volume". */
export function describeCondition(condition: Condition): string {
  const head = `${condition.type}=${condition.status}${condition.reason ? ` (${condition.reason})` : ''}`;
  return condition.message ? `${head}: ${condition.message}` : head;
}

/**
 * Progressing when the controller has not yet observed the object's latest generation (its status
 * describes an older spec), else undefined. An object without observedGeneration is taken at its word.
 */
export function generationLag(object: KubeObject): Health | undefined {
  const generation = object.metadata.generation;
  const observed = statusOf(object).observedGeneration;
  if (typeof generation !== 'number' || typeof observed !== 'number' || observed >= generation) return undefined;
  return progressing(`the controller has observed generation ${observed}, not yet ${generation}`);
}

export const healthy = (message: string): Health => ({ status: 'healthy', message });
export const progressing = (message: string): Health => ({ status: 'progressing', message });
export const degraded = (message: string): Health => ({ status: 'degraded', message });
