import { createHash, randomBytes } from 'node:crypto';

/**
 * The file side of the Dropbox contract fake: a case-insensitive namespace of files (folders exist
 * implicitly above files), Dropbox's path rules, write modes and content hash, and a space quota.
 */

export interface StoredFile {
  id: string;
  /** The path as first written (Dropbox keeps its case as path_display). */
  path: string;
  bytes: Buffer;
  content_hash: string;
  rev: string;
  server_modified: string;
}

/** A Dropbox route error: the status and the `{error_summary, error}` body the API answers with. */
export interface RouteError {
  status: number;
  body: unknown;
}

const DISALLOWED_NAMES = new Set([
  'desktop.ini',
  'thumbs.db',
  '.ds_store',
  'icon\r',
  '.dropbox',
  '.dropbox.attr',
]);

/** Dropbox's content_hash: SHA-256 over the SHA-256 digests of each 4 MiB block, in hex. */
export function contentHash(bytes: Buffer): string {
  const blockDigests: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 4 * 1024 * 1024) {
    blockDigests.push(
      createHash('sha256')
        .update(bytes.subarray(offset, offset + 4 * 1024 * 1024))
        .digest(),
    );
  }
  return createHash('sha256').update(Buffer.concat(blockDigests)).digest('hex');
}

/** Dropbox pads error_summary with dots so that it is never cached; callers must not rely on them. */
function routeError(status: number, tags: string[], error: Record<string, unknown>): RouteError {
  return { status, body: { error_summary: `${tags.join('/')}/..`, error } };
}

function pathError(reason: string, conflict?: string): RouteError {
  const reasonBody = conflict ? { '.tag': reason, [reason]: { '.tag': conflict } } : { '.tag': reason };
  const tags = conflict ? ['path', reason, conflict] : ['path', reason];
  return routeError(409, tags, {
    '.tag': 'path',
    reason: reasonBody,
    upload_session_id: 'pid_upload_session:fake',
  });
}

/** 409 malformed_path / disallowed_name for paths Dropbox refuses; undefined when the path is fine. */
function checkWritePath(path: string): RouteError | undefined {
  const components = path.split('/').slice(1);
  if (path === '/' || components.some((c) => c === '' || c === '.' || c === '..'))
    return pathError('malformed_path');
  if (components.some((c) => DISALLOWED_NAMES.has(c.toLowerCase()))) return pathError('disallowed_name');
  return undefined;
}

function fileMetadata(file: StoredFile) {
  const name = file.path.slice(file.path.lastIndexOf('/') + 1);
  return {
    name,
    path_lower: file.path.toLowerCase(),
    path_display: file.path,
    id: file.id,
    client_modified: file.server_modified,
    server_modified: file.server_modified,
    rev: file.rev,
    size: file.bytes.length,
    is_downloadable: true,
    content_hash: file.content_hash,
  };
}

export interface UploadArg {
  path: string;
  mode: 'add' | 'overwrite';
  strictConflict: boolean;
  contentHash?: string;
}

export class DropboxFileStore {
  readonly files = new Map<string, StoredFile>();
  spaceLeft = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number) {}

  private find(path: string): StoredFile | undefined {
    const lower = path.toLowerCase();
    return [...this.files.values()].find((file) => file.path.toLowerCase() === lower);
  }

  private isFolder(path: string): boolean {
    const prefix = `${path.toLowerCase()}/`;
    return [...this.files.values()].some((file) => file.path.toLowerCase().startsWith(prefix));
  }

  upload(arg: UploadArg, bytes: Buffer): { status: 200; body: unknown } | RouteError {
    const invalid = checkWritePath(arg.path);
    if (invalid) return invalid;
    const hash = contentHash(bytes);
    if (arg.contentHash !== undefined && arg.contentHash !== hash) {
      return routeError(409, ['content_hash_mismatch'], { '.tag': 'content_hash_mismatch' });
    }
    if (this.isFolder(arg.path)) return pathError('conflict', 'folder');
    const ancestors = arg.path.split('/').slice(1, -1);
    for (let depth = 1; depth <= ancestors.length; depth += 1) {
      if (this.find(`/${ancestors.slice(0, depth).join('/')}`)) return pathError('conflict', 'file_ancestor');
    }
    const existing = this.find(arg.path);
    if (existing && arg.mode === 'add') {
      // Dropbox treats identical content as no conflict unless strict_conflict asks it to.
      if (existing.content_hash === hash && !arg.strictConflict)
        return { status: 200, body: fileMetadata(existing) };
      return pathError('conflict', 'file');
    }
    const freed = existing?.bytes.length ?? 0;
    if (bytes.length - freed > this.spaceLeft) return pathError('insufficient_space');
    this.spaceLeft -= bytes.length - freed;
    if (existing) this.files.delete(existing.path);
    const file: StoredFile = {
      id: existing?.id ?? `id:${randomBytes(9).toString('base64url')}`,
      path: existing?.path ?? arg.path,
      bytes: Buffer.from(bytes),
      content_hash: hash,
      rev: randomBytes(8).toString('hex'),
      server_modified: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    this.files.set(file.path, file);
    return { status: 200, body: fileMetadata(file) };
  }

  metadata(path: string): { status: 200; body: unknown } | RouteError {
    const file = this.find(path);
    if (file) return { status: 200, body: { '.tag': 'file', ...fileMetadata(file) } };
    if (this.isFolder(path)) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      const id = `id:folder-${createHash('sha1').update(path.toLowerCase()).digest('hex').slice(0, 12)}`;
      return {
        status: 200,
        body: { '.tag': 'folder', name, path_lower: path.toLowerCase(), path_display: path, id },
      };
    }
    return routeError(409, ['path', 'not_found'], { '.tag': 'path', path: { '.tag': 'not_found' } });
  }
}
