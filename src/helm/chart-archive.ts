// The files of a packaged chart (.tgz), read without helm: enough to learn a vendored package's name
// and version from its Chart.yaml, and to tell whether a `file://` dependency's package still holds what
// its folder holds. tar-stream reads the tar (ustar, PAX and GNU long names, as helm package and other
// writers produce them); only regular files are kept.
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';

/** Path → content of each regular file in a gzipped tar; rejects bytes that are not one. */
export async function archiveFiles(gzipped: Uint8Array): Promise<Map<string, Buffer>> {
  const tar = gunzipSync(gzipped);
  const files = new Map<string, Buffer>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(Buffer.from(chunk as Uint8Array)));
      stream.on('end', () => {
        if (header.type === 'file') files.set(header.name.replace(/^\.\//, ''), Buffer.concat(chunks));
        next();
      });
      stream.on('error', reject);
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  Readable.from([tar]).pipe(reader);
  await done;
  return files;
}
