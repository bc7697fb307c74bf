// A parsed helmfile (or environment values file) as plain data before anything reads it. The YAML parser
// keeps a `__proto__` key as an own property; the first spread or assignment of it later would write a
// prototype instead (and the key would silently vanish), and zod would let a release inherit unchecked
// fields from it. YAML tags also give non-JSON values (`!!set` a Set, `!!binary` a Buffer, `!!timestamp` a
// Date), and an anchor may hold an alias of itself (a circular value). Each such spot is dropped and listed
// as not converted, so what the converter sees is only strings, finite numbers, booleans, null, arrays and
// plain objects with safe keys, nested at most MAX_DEPTH deep. Pure.
import type { NotConverted } from './not-converted.js';

/** Keys that reach a prototype when used as a property key (the stack loader refuses them too). */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** As deep as values may nest (the stack loader's limit); deeper is a mistake or an attack. */
export const MAX_DEPTH = 64;

/** A key as a field path shows it: bare when it is a plain word, else quoted (so no text can look like a path). */
export function fieldKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** A field path with one more key. */
export const fieldAt = (field: string, key: string): string => (field ? `${field}${fieldKey(key)}` : fieldKey(key).replace(/^\./, ''));

function kindOf(value: object): string {
  if (value instanceof Set) return 'a set (!!set)';
  if (value instanceof Map) return 'an ordered map (!!omap / !!pairs)';
  if (value instanceof Date) return 'a timestamp (!!timestamp)';
  if (ArrayBuffer.isView(value)) return 'binary data (!!binary)';
  return `a ${value.constructor?.name ?? 'non-plain'} value`;
}

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
};

/**
 * The value as plain data; every dropped part is given to `note` with its field. `field` names the value
 * itself (`releases[0].values[1]`, or '' for a whole document).
 */
export function plainData(value: unknown, field: string, note: (item: NotConverted) => void): unknown {
  const onPath = new Set<object>();
  const visit = (node: unknown, at: string, depth: number): { keep: boolean; value?: unknown } => {
    if (node === null || typeof node === 'string' || typeof node === 'boolean') return { keep: true, value: node };
    if (typeof node === 'number') {
      if (Number.isFinite(node)) return { keep: true, value: node };
      note({ field: at || '(document)', what: `the number ${String(node)} (no JSON form: helm cannot take it)`, instead: 'a finite number, or a string' });
      return { keep: false };
    }
    if (typeof node !== 'object') {
      note({ field: at || '(document)', what: `a ${typeof node} value`, instead: 'a string, number, boolean, list or map' });
      return { keep: false };
    }
    if (onPath.has(node)) {
      note({ field: at || '(document)', what: 'an alias of a node that contains it (a circular value)', instead: 'the value written out, without the alias' });
      return { keep: false };
    }
    if (depth > MAX_DEPTH) {
      note({ field: at || '(document)', what: `values nested deeper than ${MAX_DEPTH} levels`, instead: 'flatter values' });
      return { keep: false };
    }
    const isArray = Array.isArray(node);
    if (!isArray && !isPlainObject(node)) {
      note({ field: at || '(document)', what: `${kindOf(node)}, which has no plain YAML or JSON form`, instead: 'a plain string, list or map' });
      return { keep: false };
    }
    onPath.add(node);
    try {
      if (isArray) {
        const out: unknown[] = [];
        node.forEach((item, index) => {
          const kept = visit(item, `${at}[${index}]`, depth + 1);
          // A dropped item of a list is left out; the list keeps its other items in order.
          if (kept.keep) out.push(kept.value);
        });
        return { keep: true, value: out };
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(node)) {
        const keyField = fieldAt(at, key);
        if (PROTOTYPE_KEYS.has(key)) {
          note({ field: keyField, what: `the key '${key}' (it would reach a JavaScript prototype, and helmcycle refuses it)`, instead: 'none: rename the key in the chart and its values' });
          continue;
        }
        const kept = visit((node as Record<string, unknown>)[key], keyField, depth + 1);
        if (kept.keep) out[key] = kept.value;
      }
      return { keep: true, value: out };
    } finally {
      onPath.delete(node);
    }
  };
  const result = visit(value, field, 0);
  return result.keep ? result.value : undefined;
}
