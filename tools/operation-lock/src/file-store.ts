import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OperationLockError } from './errors';
import type { CreateResult, LockStore, RemoveResult, ReplaceResult, StoredLock } from './store';

const tagOf = (body: string): string => createHash('sha256').update(body).digest('hex');
const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException)?.code;

/**
 * The lock as a file, for local state: created with O_EXCL (`wx`), which fails with EEXIST when the
 * file exists, as S3's `If-None-Match: *` does. A file has no compare-and-swap, so replace and
 * remove check the content's hash and then act: the window between the two system calls is open
 * to another process on this machine only, which is where every user of local state is.
 */
export class FileLockStore implements LockStore {
  readonly location: string;

  constructor(private readonly path: string) {
    this.location = path;
  }

  removeCommand(): string {
    return `rm '${this.path}'`;
  }

  async create(body: string): Promise<CreateResult> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
    } catch (error) {
      throw this.failure('create the folder of', error);
    }
    let file;
    try {
      file = await open(this.path, 'wx');
    } catch (error) {
      if (codeOf(error) === 'EEXIST') return { outcome: 'exists' };
      throw this.failure('create', error);
    }
    // A reader that comes between open and write sees an empty file: an unreadable lock, held.
    try {
      await file.writeFile(body, 'utf8');
    } finally {
      await file.close();
    }
    return { outcome: 'created', tag: tagOf(body) };
  }

  async read(): Promise<StoredLock | undefined> {
    try {
      const [body, info] = await Promise.all([readFile(this.path, 'utf8'), stat(this.path)]);
      return { body, tag: tagOf(body), modifiedAt: info.mtime };
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw this.failure('read', error);
    }
  }

  async replace(body: string, tag: string): Promise<ReplaceResult> {
    const current = await this.read();
    if (!current || current.tag !== tag) return { outcome: 'changed' };
    // Written beside and renamed over, so that the lock is never missing or half-written.
    const temp = `${this.path}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, body, { encoding: 'utf8', flag: 'wx' });
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw this.failure('replace', error);
    }
    return { outcome: 'replaced', tag: tagOf(body) };
  }

  async remove(tag: string): Promise<RemoveResult> {
    const current = await this.read();
    if (!current) return { outcome: 'gone' };
    if (current.tag !== tag) return { outcome: 'changed' };
    try {
      await unlink(this.path);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return { outcome: 'gone' };
      throw this.failure('delete', error);
    }
    return { outcome: 'removed' };
  }

  private failure(action: string, error: unknown): OperationLockError {
    return new OperationLockError(`Cannot ${action} the operation lock ${this.path}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}
