/* Written by `helmcycle types` from web 1.0.0's values.yaml (no values.schema.json: inferred), for chart 'web'. Do not edit: run it again. */

export interface WebValues {
  replicaCount?: number;
  image?: string;
  message?: string;
  config?: {
    [k: string]: unknown;
  };
  fakeBehavior?: string;
  service?: {
    type?: string;
    port?: number;
  };
  podLabels?: {
    [k: string]: unknown;
  };
  podAnnotations?: {
    [k: string]: unknown;
  };
  containerPort?: number;
  global?: {
    [k: string]: unknown;
  };
}
