/*
 * A throw-away SFTP server for trying Relais on one machine (`RELAIS_SANDBOX_SFTP=true npm start`): ssh2's
 * Server with a small SFTP subsystem over one folder, one user with a password, on loopback only. Unlike
 * OpenSSH it needs no root and no OS user, so a newcomer can connect the SFTP target and watch invoices
 * arrive in a folder. The configuration refuses it in production.
 *
 * Its host key and password are kept in the data folder: the SFTP connection pins the host key and
 * stores the password, so both must survive a restart of `npm start` or deliveries would stop.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import {
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rmdir,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Server, utils, type Attributes, type Connection, type FileEntry, type SFTPWrapper } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;
const USERNAME = 'sandbox';

export interface SandboxSftp {
  host: string;
  port: number;
  username: string;
  password: string;
  /** Where uploaded files land on this machine (the SFTP user's home, `/` over SFTP). */
  folder: string;
  stop(): Promise<void>;
}

export async function startSandboxSftp(options: { dataDir: string; port: number }): Promise<SandboxSftp> {
  const base = path.join(options.dataDir, 'sandbox-sftp');
  const folder = path.join(base, 'files');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const hostKey = await keptSecret(path.join(base, 'host_key'), () =>
    utils.generateKeyPairSync('ed25519').private.toString(),
  );
  const password = await keptSecret(path.join(base, 'password'), () => randomBytes(12).toString('base64url'));

  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client.once('close', () => clients.delete(client)));
    serveClient(client, password, folder);
  });
  const host = '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  return {
    host,
    port: options.port,
    username: USERNAME,
    password,
    folder,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A client left connected (a file manager, say) would keep close() waiting.
        for (const client of clients) client.end();
      }),
  };
}

/**
 * The SSRF guard's allow-list entry that lets the SFTP target reach the sandbox: exactly its address and
 * port (`127.0.0.1:2222`), not loopback as a whole, so a tenant naming 127.1, localhost or another local
 * port still meets the guard.
 */
export function sandboxNetworkAllow(sandbox: Pick<SandboxSftp, 'host' | 'port'>): string {
  return `${sandbox.host}:${sandbox.port}`;
}

/** The file's content, or `create()`'s, written once with owner-only permissions. */
async function keptSecret(file: string, create: () => string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const value = create();
    await writeFile(file, `${value}\n`, { mode: 0o600 });
    return value;
  }
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function serveClient(client: Connection, password: string, folder: string): void {
  client.on('authentication', (context) => {
    if (
      context.method === 'password' &&
      context.username === USERNAME &&
      sameText(context.password, password)
    )
      context.accept();
    else context.reject(['password']);
  });
  client.on('ready', () => {
    client.on('session', (acceptSession) => {
      acceptSession().on('sftp', (acceptSftp) => serveSftp(acceptSftp(), folder));
    });
  });
  // A client that drops the connection must not take the process down.
  client.on('error', () => undefined);
}

type Handle = { kind: 'file'; file: FileHandle } | { kind: 'dir'; path: string; listed: boolean };

/** The SFTP requests ssh2-sftp-client and command-line clients send; others answer "unsupported". */
function serveSftp(sftp: SFTPWrapper, folder: string): void {
  const handles = new Map<string, Handle>();
  let nextHandle = 0;
  /** Client paths are absolute under `/` (the folder) or relative to it; `..` never leaves it. */
  const virtual = (given: string) => path.posix.resolve('/', given);
  const real = (given: string) => path.join(folder, virtual(given));
  const newHandle = (handle: Handle) => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(nextHandle++);
    handles.set(id.toString('hex'), handle);
    return id;
  };
  const handleOf = (id: Buffer) => handles.get(id.toString('hex'));

  /** Runs one request; a file system error becomes the matching SFTP status. */
  const serve = (reqId: number, work: () => Promise<void>) => {
    work().catch((error: NodeJS.ErrnoException) => sftp.status(reqId, statusOf(error), error.code));
  };
  const ok = (reqId: number) => sftp.status(reqId, STATUS_CODE.OK);

  sftp.on('REALPATH', (reqId, given) => sftp.name(reqId, [{ filename: virtual(given) } as FileEntry]));
  sftp.on('STAT', (reqId, given) =>
    serve(reqId, async () => sftp.attrs(reqId, attrsOf(await stat(real(given))))),
  );
  sftp.on('LSTAT', (reqId, given) =>
    serve(reqId, async () => sftp.attrs(reqId, attrsOf(await lstat(real(given))))),
  );
  sftp.on('OPEN', (reqId, given, flags) =>
    serve(reqId, async () => {
      const file = await open(real(given), openFlags(flags), 0o644);
      sftp.handle(reqId, newHandle({ kind: 'file', file }));
    }),
  );
  sftp.on('WRITE', (reqId, id, offset, data) =>
    serve(reqId, async () => {
      const handle = handleOf(id);
      if (handle?.kind !== 'file') return sftp.status(reqId, STATUS_CODE.FAILURE, 'Not an open file');
      await handle.file.write(data, 0, data.length, offset);
      ok(reqId);
    }),
  );
  sftp.on('READ', (reqId, id, offset, length) =>
    serve(reqId, async () => {
      const handle = handleOf(id);
      if (handle?.kind !== 'file') return sftp.status(reqId, STATUS_CODE.FAILURE, 'Not an open file');
      const { buffer, bytesRead } = await handle.file.read(Buffer.alloc(length), 0, length, offset);
      if (bytesRead === 0) sftp.status(reqId, STATUS_CODE.EOF);
      else sftp.data(reqId, buffer.subarray(0, bytesRead));
    }),
  );
  sftp.on('FSTAT', (reqId, id) =>
    serve(reqId, async () => {
      const handle = handleOf(id);
      if (!handle) return sftp.status(reqId, STATUS_CODE.FAILURE, 'Unknown handle');
      sftp.attrs(reqId, attrsOf(handle.kind === 'file' ? await handle.file.stat() : await stat(handle.path)));
    }),
  );
  sftp.on('CLOSE', (reqId, id) =>
    serve(reqId, async () => {
      const handle = handleOf(id);
      handles.delete(id.toString('hex'));
      if (handle?.kind === 'file') await handle.file.close();
      ok(reqId);
    }),
  );
  sftp.on('OPENDIR', (reqId, given) =>
    serve(reqId, async () => {
      if (!(await stat(real(given))).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
      sftp.handle(reqId, newHandle({ kind: 'dir', path: real(given), listed: false }));
    }),
  );
  sftp.on('READDIR', (reqId, id) =>
    serve(reqId, async () => {
      const handle = handleOf(id);
      if (handle?.kind !== 'dir') return sftp.status(reqId, STATUS_CODE.FAILURE, 'Not an open folder');
      if (handle.listed) return sftp.status(reqId, STATUS_CODE.EOF);
      handle.listed = true;
      const names = await readdir(handle.path);
      const entries = await Promise.all(
        names.map(async (name) => {
          const attrs = attrsOf(await lstat(path.join(handle.path, name)));
          return { filename: name, longname: longName(name, attrs), attrs };
        }),
      );
      sftp.name(reqId, entries);
    }),
  );
  const change = (reqId: number, work: () => Promise<unknown>) =>
    serve(reqId, async () => {
      await work();
      ok(reqId);
    });
  sftp.on('MKDIR', (reqId, given) => change(reqId, () => mkdir(real(given), 0o755)));
  sftp.on('RMDIR', (reqId, given) => change(reqId, () => rmdir(real(given))));
  sftp.on('REMOVE', (reqId, given) => change(reqId, () => unlink(real(given))));
  sftp.on('RENAME', (reqId, from, to) =>
    serve(reqId, async () => {
      // SFTP v3 rename refuses an existing target (OpenSSH does the same); fs.rename would replace it.
      if (await exists(real(to))) return sftp.status(reqId, STATUS_CODE.FAILURE, 'The target exists');
      await rename(real(from), real(to));
      ok(reqId);
    }),
  );
  // Permissions and times are not kept: accepting the request is what clients expect after an upload.
  sftp.on('SETSTAT', (reqId) => ok(reqId));
  sftp.on('FSETSTAT', (reqId) => ok(reqId));
  sftp.on('close', () => {
    for (const handle of handles.values()) if (handle.kind === 'file') void handle.file.close();
    handles.clear();
  });
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

function openFlags(flags: number): number {
  const read = (flags & OPEN_MODE.READ) !== 0;
  const write = (flags & OPEN_MODE.WRITE) !== 0;
  let result = read && write ? constants.O_RDWR : write ? constants.O_WRONLY : constants.O_RDONLY;
  if (flags & OPEN_MODE.APPEND) result |= constants.O_APPEND;
  if (flags & OPEN_MODE.CREAT) result |= constants.O_CREAT;
  if (flags & OPEN_MODE.TRUNC) result |= constants.O_TRUNC;
  if (flags & OPEN_MODE.EXCL) result |= constants.O_EXCL;
  return result;
}

function statusOf(error: NodeJS.ErrnoException): number {
  if (error.code === 'ENOENT') return STATUS_CODE.NO_SUCH_FILE;
  if (error.code === 'EACCES' || error.code === 'EPERM') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

function attrsOf(stats: Stats): Attributes {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

/** The `ls -l` style line SFTP v3 clients print for a listing. */
function longName(name: string, attrs: Attributes): string {
  const type = (attrs.mode & constants.S_IFMT) === constants.S_IFDIR ? 'd' : '-';
  const date = new Date(attrs.mtime * 1000).toISOString().slice(0, 16).replace('T', ' ');
  return `${type}rw-r--r-- 1 ${USERNAME} ${USERNAME} ${attrs.size} ${date} ${name}`;
}
