import { ZipFile } from 'yazl';

/*
 * Every zip entry gets the same timestamp and mode, so the same code always gives the same zip
 * bytes: a function's asset is content-addressed, and a rebuild of unchanged code must not
 * redeploy it. yazl writes DOS timestamps from local-time fields, so the date is built from local
 * fields too (the same fields in every time zone), and the UTC extended-timestamp field is left out.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

/** A zip holding `code` as its only entry, named `name`: byte for byte the same for the same code. */
export function zipOne(code: Buffer, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile();
    zip.addBuffer(code, name, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: true, compressionLevel: 9, forceDosTimestamp: true });
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.end();
  });
}
