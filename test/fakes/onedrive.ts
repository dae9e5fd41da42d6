import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { quickXorHash } from '../../connectors/onedrive-business/quick-xor-hash';
import { listen } from '../helpers/http';
import { IDENTITY_BASE, mountIdentity, type IdentityFake, type ReauthCode } from './onedrive-identity';

/**
 * Contract fake of the Microsoft identity platform and of Microsoft Graph's OneDrive for Business
 * upload routes, on one loopback origin. Graph rules enforced, as documented: Bearer tokens with
 * Files.ReadWrite (the user's own drive) or Files.ReadWrite.All (also shared libraries, `/drives/{id}`;
 * a token without it gets 403 accessDenied there); `PUT {drive}/root:/{path}:/content` up to 4 MB;
 * `createUploadSession`; upload URLs that refuse an Authorization header, take fragments in order whose
 * sizes (but the last) are multiples of 320 KiB, answer 416 to a fragment already received and 404
 * once expired; conflict behavior fail → 409 nameAlreadyExists; OneDrive for Business name rules;
 * quickXorHash in metadata (unless hidden); `GET {drive}/root:/{path}:/content` → 302 to a
 * pre-authenticated download URL that refuses an Authorization header.
 */

export const GRAPH_BASE = '/v1.0';
/** The signed-in user's own drive, also reachable as `/drives/{OWN_DRIVE_ID}`. */
export const OWN_DRIVE_ID = 'b!fakeDriveId';
const SIMPLE_UPLOAD_MAX = 4 * 1024 * 1024;
const FRAGMENT_UNIT = 320 * 1024;
const FRAGMENT_MAX = 60 * 1024 * 1024;

export interface StoredItem {
  id: string;
  path: string;
  content: Buffer;
  createdAt: Date;
}

interface UploadSession {
  items: Map<string, StoredItem>;
  path: string;
  received: Buffer[];
  receivedBytes: number;
  total?: number;
  fragments: number;
  expired: boolean;
  expireAfter: number | undefined;
}

export interface InjectedFailure {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
  /** Requests whose path contains this text; any when omitted. */
  pathIncludes?: string;
}

export interface OneDriveFake {
  url: string;
  /** Base URLs for the connector's env. */
  authorityUrl: string;
  graphUrl: string;
  user: { id: string; displayName: string; email: string };
  /** The user's own drive, keyed by path, compared case-insensitively like OneDrive. */
  items: Map<string, StoredItem>;
  /** Adds a shared library (a SharePoint document library) the user may write to; its items. */
  addSharedLibrary(driveId: string, name: string): Map<string, StoredItem>;
  log: Array<{
    method: string;
    path: string;
    authorization?: string;
    status?: number;
    contentRange?: string;
  }>;
  identity: IdentityFake;
  failNext(failure: InjectedFailure): void;
  refuseRefreshTokens(code: ReauthCode): void;
  /**
   * Stores the next fragment ('next') or the next final one ('final', which commits the file), then
   * drops the connection before answering: a lost answer.
   */
  loseFragmentAnswer(which: 'next' | 'final'): void;
  /** The next upload session expires after receiving this many fragments (404 from then on). */
  expireNextSessionAfterFragments(count: number): void;
  setQuotaLeft(bytes: number): void;
  /** Sessions deleted by the client. */
  deletedSessions(): number;
  /** Puts a file there as another program would (for conflicts). */
  putFile(path: string, content: Buffer): void;
  /** Graph computes hashes a little later: while hidden, no metadata carries `file.hashes`. */
  hideHashes(hidden: boolean): void;
  consent(authorizeUrl: string, decision: 'allow' | 'deny'): Promise<string>;
  close(): Promise<void>;
}

export async function startOneDriveFake(options: {
  clientId: string;
  clientSecret: string;
  redirectUris?: string[];
}): Promise<OneDriveFake> {
  const user = {
    id: 'f5c8f0a6-0000-4000-8000-00000000babe',
    displayName: 'Relais Test',
    email: 'owner@contoso.test',
  };
  const now = () => Date.now();
  const items = new Map<string, StoredItem>();
  const drives = new Map<string, { name: string; driveType: string; items: Map<string, StoredItem> }>([
    [OWN_DRIVE_ID, { name: 'OneDrive', driveType: 'business', items }],
  ]);
  const downloads = new Map<string, StoredItem>();
  const sessions = new Map<string, UploadSession>();
  const failures: InjectedFailure[] = [];
  const log: OneDriveFake['log'] = [];
  let loseAnswer: 'next' | 'final' | undefined;
  let expireAfter: number | undefined;
  let quotaLeft = Number.MAX_SAFE_INTEGER;
  let deleted = 0;
  let hashesHidden = false;

  const app = express();
  app.use(express.raw({ type: () => true, limit: '100mb' }));
  app.use((req, res, next) => {
    const entry: OneDriveFake['log'][number] = {
      method: req.method,
      path: req.path,
      ...(req.get('authorization') ? { authorization: req.get('authorization')!.split(' ')[0]! } : {}),
      ...(req.get('content-range') ? { contentRange: req.get('content-range')! } : {}),
    };
    log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const failure = failures.find((f) => f.pathIncludes === undefined || req.path.includes(f.pathIncludes));
    if (!failure) return next();
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
    res.status(failure.status).set(failure.headers ?? {});
    if (failure.body === undefined) res.end();
    else res.json(failure.body);
  });

  const identity = mountIdentity(app, { ...options, user }, now);

  const graphError = (res: Response, status: number, code: string, message: string) =>
    void res.status(status).json({
      error: {
        code,
        message,
        innerError: { date: new Date(now()).toISOString(), 'request-id': randomUUID() },
      },
    });
  const keyOf = (path: string) => path.toLowerCase();
  const itemBody = (item: StoredItem) => ({
    id: item.id,
    name: item.path.split('/').pop(),
    size: item.content.length,
    createdDateTime: item.createdAt.toISOString(),
    parentReference: {
      driveType: 'business',
      path: `/drive/root:/${item.path.split('/').slice(0, -1).join('/')}`,
    },
    file: {
      mimeType: 'application/octet-stream',
      ...(hashesHidden ? {} : { hashes: { quickXorHash: quickXorHash(item.content) } }),
    },
  });

  /** OneDrive for Business name rules [doc], per decoded segment; the reason or undefined. */
  function badName(segments: string[]): string | undefined {
    for (const name of segments) {
      if (/["*:<>?/\\|]/.test(name) || name.startsWith('~') || name.endsWith('.') || name.trim() === '') {
        return `The name "${name}" contains characters that are not allowed.`;
      }
    }
    return undefined;
  }

  function store(path: string, content: Buffer, where: Map<string, StoredItem> = items): StoredItem {
    const item = {
      id: `01${randomBytes(12).toString('hex').toUpperCase()}`,
      path,
      content,
      createdAt: new Date(now()),
    };
    where.set(keyOf(path), item);
    quotaLeft -= content.length;
    return item;
  }

  // --- Upload URLs (pre-authenticated: no Authorization header) ---
  app.all('/upload-sessions/:id', (req, res) => {
    const session = sessions.get(req.params.id as string);
    if (req.get('authorization')) {
      return graphError(
        res,
        401,
        'unauthenticated',
        'Do not send an Authorization header to the upload URL.',
      );
    }
    if (!session || session.expired)
      return graphError(res, 404, 'itemNotFound', 'The upload session was not found.');
    const next = `${session.receivedBytes}-`;
    if (req.method === 'DELETE') {
      sessions.delete(req.params.id as string);
      deleted += 1;
      return void res.status(204).end();
    }
    if (req.method === 'GET') {
      return void res.json({
        expirationDateTime: new Date(now() + 3600_000).toISOString(),
        nextExpectedRanges: [next],
      });
    }
    if (req.method !== 'PUT') return graphError(res, 405, 'invalidRequest', 'Method not allowed.');
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.get('content-range') ?? '');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!range) return graphError(res, 400, 'invalidRequest', 'Content-Range is missing or invalid.');
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (end - start + 1 !== body.length || Number(req.get('content-length')) !== body.length) {
      return graphError(res, 400, 'invalidRequest', 'Content-Range does not match the body length.');
    }
    if (start < session.receivedBytes) {
      return graphError(res, 416, 'invalidRange', `The fragment was already received; expected ${next}.`);
    }
    if (start > session.receivedBytes)
      return graphError(res, 400, 'invalidRange', `Fragments must be in order; expected ${next}.`);
    if (session.total !== undefined && session.total !== total)
      return graphError(res, 400, 'invalidRange', 'The total size changed.');
    const last = end + 1 === total;
    if (body.length > FRAGMENT_MAX || (!last && body.length % FRAGMENT_UNIT !== 0)) {
      return graphError(
        res,
        400,
        'invalidRequest',
        'Fragments must be multiples of 320 KiB and at most 60 MiB.',
      );
    }
    session.total = total;
    session.received.push(body);
    session.receivedBytes += body.length;
    session.fragments += 1;
    if (session.expireAfter !== undefined && session.fragments >= session.expireAfter) session.expired = true;
    const answer = () => {
      if (!last) {
        return void res.status(202).json({
          expirationDateTime: new Date(now() + 3600_000).toISOString(),
          nextExpectedRanges: [`${session.receivedBytes}-`],
        });
      }
      sessions.delete(req.params.id as string);
      if (session.items.has(keyOf(session.path))) {
        return graphError(res, 409, 'nameAlreadyExists', 'The specified item name already exists.');
      }
      if (quotaLeft < total) return graphError(res, 507, 'quotaLimitReached', 'Insufficient Space Available');
      res.status(201).json(itemBody(store(session.path, Buffer.concat(session.received), session.items)));
    };
    if (loseAnswer === 'next' || (loseAnswer === 'final' && last)) {
      loseAnswer = undefined;
      if (last) {
        // The commit happens; only the answer is lost.
        sessions.delete(req.params.id as string);
        if (!session.items.has(keyOf(session.path)))
          store(session.path, Buffer.concat(session.received), session.items);
      }
      return void req.socket.destroy();
    }
    answer();
  });

  // --- Download URLs (pre-authenticated: no Authorization header) ---
  app.get('/downloads/:id', (req, res) => {
    if (req.get('authorization')) {
      return graphError(
        res,
        401,
        'unauthenticated',
        'Do not send an Authorization header to the download URL.',
      );
    }
    const item = downloads.get(req.params.id as string);
    if (!item) return graphError(res, 404, 'itemNotFound', 'The download URL expired.');
    res.type('application/octet-stream').send(item.content);
  });

  // --- Graph: /v1.0/me/drive, /v1.0/drives/{id}, and {drive}/root:/{path}[:/content | :/createUploadSession] ---
  app.use(GRAPH_BASE, (req: Request, res: Response) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const session = identity.authenticate(token);
    if (session === 'invalid' || session === 'expired') {
      return graphError(
        res,
        401,
        'InvalidAuthenticationToken',
        session === 'expired'
          ? 'Lifetime validation failed, the token is expired.'
          : 'Access token is empty or invalid.',
      );
    }
    const allFiles = session.scopes.includes('Files.ReadWrite.All');
    if (!allFiles && !session.scopes.includes('Files.ReadWrite'))
      return graphError(res, 403, 'accessDenied', 'Files.ReadWrite is required.');
    const rawPath = req.originalUrl.slice(GRAPH_BASE.length).split('?')[0]!;
    const route =
      /^\/(?:me\/drive|drives\/([^/]+))(?:\/root:\/(.+?)(:|:\/content|:\/createUploadSession)?)?$/.exec(
        rawPath,
      );
    if (!route) return graphError(res, 400, 'invalidRequest', `Unsupported route ${req.method} ${rawPath}`);
    let driveId: string;
    let segments: string[];
    try {
      driveId = route[1] === undefined ? OWN_DRIVE_ID : decodeURIComponent(route[1]);
      segments = (route[2] ?? '').split('/').map(decodeURIComponent);
    } catch {
      return graphError(res, 400, 'invalidRequest', 'The path is not correctly encoded.');
    }
    // Files.ReadWrite reaches the user's own files only [doc: permissions reference].
    if (driveId !== OWN_DRIVE_ID && !allFiles)
      return graphError(res, 403, 'accessDenied', 'Access denied. Files.ReadWrite.All is required.');
    const drive = drives.get(driveId);
    if (!drive) return graphError(res, 404, 'itemNotFound', 'The drive could not be found.');
    if (route[2] === undefined) {
      if (req.method !== 'GET')
        return graphError(res, 400, 'invalidRequest', `Unsupported route ${req.method} ${rawPath}`);
      return void res.json({
        id: driveId,
        name: drive.name,
        driveType: drive.driveType,
        ...(driveId === OWN_DRIVE_ID ? { owner: { user } } : {}),
      });
    }
    const problem = badName(segments);
    if (problem) return graphError(res, 400, 'invalidRequest', problem);
    const path = segments.join('/');
    const existing = drive.items.get(keyOf(path));
    const suffix = route[3] ?? '';
    if (req.method === 'GET' && (suffix === '' || suffix === ':')) {
      return existing
        ? void res.json(itemBody(existing))
        : graphError(res, 404, 'itemNotFound', 'The resource could not be found.');
    }
    if (req.method === 'GET' && suffix === ':/content') {
      if (!existing) return graphError(res, 404, 'itemNotFound', 'The resource could not be found.');
      const id = randomBytes(16).toString('hex');
      downloads.set(id, existing);
      return void res.redirect(
        302,
        `${server.url}/downloads/${id}?tempauth=${randomBytes(24).toString('base64url')}`,
      );
    }
    if (req.method === 'PUT' && suffix === ':/content') {
      const behavior =
        new URL(req.originalUrl, 'http://x').searchParams.get('@microsoft.graph.conflictBehavior') ??
        'replace';
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (body.length > SIMPLE_UPLOAD_MAX)
        return graphError(res, 413, 'requestEntityTooLarge', 'Use an upload session above 4 MB.');
      if (existing && behavior === 'fail')
        return graphError(res, 409, 'nameAlreadyExists', 'The specified item name already exists.');
      if (quotaLeft < body.length)
        return graphError(res, 507, 'quotaLimitReached', 'Insufficient Space Available');
      return void res.status(201).json(itemBody(store(path, body, drive.items)));
    }
    if (req.method === 'POST' && suffix === ':/createUploadSession') {
      let behavior: unknown;
      try {
        behavior = (
          JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '{}') as {
            item?: Record<string, unknown>;
          }
        ).item?.['@microsoft.graph.conflictBehavior'];
      } catch {
        return graphError(res, 400, 'invalidRequest', 'The body is not JSON.');
      }
      if (existing && behavior === 'fail')
        return graphError(res, 409, 'nameAlreadyExists', 'The specified item name already exists.');
      const id = randomBytes(16).toString('hex');
      sessions.set(id, {
        items: drive.items,
        path,
        received: [],
        receivedBytes: 0,
        fragments: 0,
        expired: false,
        expireAfter,
      });
      expireAfter = undefined;
      return void res.json({
        uploadUrl: `${server.url}/upload-sessions/${id}?tempauth=${randomBytes(24).toString('base64url')}`,
        expirationDateTime: new Date(now() + 3600_000).toISOString(),
        nextExpectedRanges: ['0-'],
      });
    }
    graphError(res, 400, 'invalidRequest', `Unsupported route ${req.method} ${rawPath}`);
  });

  const server = await listen(app);
  return {
    url: server.url,
    authorityUrl: `${server.url}${IDENTITY_BASE}`,
    graphUrl: `${server.url}${GRAPH_BASE}`,
    user,
    items,
    addSharedLibrary(driveId, name) {
      const library = { name, driveType: 'documentLibrary', items: new Map<string, StoredItem>() };
      drives.set(driveId, library);
      return library.items;
    },
    log,
    identity,
    failNext: (failure) => void failures.push({ ...failure }),
    refuseRefreshTokens: identity.refuseRefreshTokens,
    loseFragmentAnswer: (which) => void (loseAnswer = which),
    expireNextSessionAfterFragments: (count) => void (expireAfter = count),
    setQuotaLeft: (bytes) => void (quotaLeft = bytes),
    deletedSessions: () => deleted,
    putFile: (path, content) => void store(path, content),
    hideHashes: (hidden) => void (hashesHidden = hidden),
    async consent(authorizeUrl, decision) {
      const response = await fetch(authorizeUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ decision }),
        redirect: 'manual',
      });
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) {
        throw new Error(
          `OneDrive fake refused the authorization request (${response.status}): ${await response.text()}`,
        );
      }
      return location;
    },
    close: server.close,
  };
}
