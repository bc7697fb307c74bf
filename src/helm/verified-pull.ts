// A chart with `verify: true` (chart-provenance.ts) is pulled as helm pulls it for `--verify`: the
// archive and its .prov file (`helm pull --prov`, Helm 3 and 4, repository and OCI charts), into an empty
// private folder; a digest pin is checked on what helm reports, then the provenance in this process, and
// only then is the archive handed on to install, upgrade or render from.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as argv from './argv.js';
import { checkPulledDigest, referenceOf } from './chart-digest.js';
import { ChartProvenanceError, verifyProvenance } from './chart-provenance.js';
import { HelmCommandError } from './errors.js';
import type { ChartSource } from './types.js';

/** Runs the pull argv (built with the chart's access) and gives helm's stderr. */
export type ArchivePull = (argvOf: (access: argv.ChartAccess) => string[]) => Promise<{ stderr: string }>;

/** The checked archive's path in `dir`; a ChartProvenanceError (or ChartDigestError) when it is not the signed one. */
export async function pullVerified(pull: ArchivePull, source: ChartSource, dir: string): Promise<string> {
  const reference = referenceOf(source);
  let stderr: string;
  try {
    ({ stderr } = await pull((access) => argv.pullArchiveArgv(source, dir, access)));
  } catch (error) {
    if (!(error instanceof HelmCommandError)) throw error;
    throw new ChartProvenanceError(reference, `helm could not pull it with its .prov file (${error.failure.stderrTail.trim().split('\n').pop() ?? ''})`);
  }
  checkPulledDigest(source, stderr);
  const files = await readdir(dir);
  const archive = files.find((f) => f.endsWith('.tgz'));
  if (!archive || !files.includes(`${archive}.prov`)) throw new ChartProvenanceError(reference, 'the registry or repository has no .prov file for it');
  const keyring = await readFile(source.verify!.keyring).catch(() => {
    throw new ChartProvenanceError(reference, `the keyring ${source.verify!.keyring} cannot be read`);
  });
  await verifyProvenance({ reference, archiveName: archive, archive: await readFile(join(dir, archive)), prov: await readFile(join(dir, `${archive}.prov`), 'utf8'), keyring });
  return join(dir, archive);
}
