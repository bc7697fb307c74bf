// --shard i/n: the same split of the targets on every machine, so n CI jobs (a GitHub Actions matrix)
// each take one part and together cover every target exactly once. A target's shard depends on its
// name alone (a stable hash), so adding a target never moves the others. Pure.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UsageError(`--shard '${text}' is not i/n with 1 ≤ i ≤ n`, 'e.g. --shard 1/3 in the first of three CI jobs, 2/3 and 3/3 in the others');
  return { index, count };
}

/** The 1-based shard a target name falls in: the first 4 bytes of its SHA-256, modulo the count. */
export function shardOfName(name: string, count: number): number {
  return (createHash('sha256').update(name).digest().readUInt32BE(0) % count) + 1;
}

export function inShard(name: string, shard: Shard): boolean {
  return shardOfName(name, shard.count) === shard.index;
}
