import express, { type Request } from 'express';
import { listen } from '../helpers/http';
import { mountDropboxOAuth, requestBody } from './dropbox-oauth';
import { DropboxFileStore, type RouteError, type StoredFile, type UploadArg } from './dropbox-files';

/**
 * Contract fake of Dropbox's OAuth and API v2 hosts on one loopback origin (www.dropbox.com/oauth2/authorize,
 * api.dropboxapi.com and content.dropboxapi.com all map to it). It enforces what Dropbox documents:
 * the app's client id and secret, PKCE (S256 or plain), single-use codes valid 10 minutes, a redirect_uri
 * equal at authorize and token time, access tokens valid 4 hours, refresh tokens that are not rotated,
 * Bearer auth and scopes per route, the Dropbox-API-Arg header (ASCII JSON), path rules, write modes and
 * content hashes, with Dropbox's error shapes.
 */

export interface DropboxFakeOptions {
  clientId: string;
  clientSecret: string;
  /** The redirect URIs registered in the App Console; any is accepted when omitted. */
  redirectUris?: string[];
  /** The scopes enabled on the app's Permissions tab. */
  scopes?: string[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** Authorization values are cut to their scheme ("Bearer", "Basic"). */
  headers: Record<string, string>;
  time: Date;
  status?: number;
}

export interface InjectedFailure {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests get this answer (1 by default). */
  times?: number;
  /** Only requests to this path ("/2/files/upload"); any route when omitted. */
  path?: string;
}

export interface DropboxFake {
  url: string;
  log: LoggedRequest[];
  /** Keyed by the path as written (Dropbox compares paths case-insensitively). */
  files: Map<string, StoredFile>;
  account: { account_id: string; display_name: string; email: string };
  failNext(failure: InjectedFailure): void;
  expireAccessTokens(): void;
  /** Revokes every refresh token and the access tokens issued from them (the user unlinked the app). */
  revokeRefreshToken(): void;
  setSpaceLeft(bytes: number): void;
  /**
   * Holds every files/upload answer this long after the file is stored: the upload lands at once, its
   * answer comes back late (a slow network), so a client that dies meanwhile never learns it succeeded.
   */
  delayUploadAnswers(ms: number): void;
  /**
   * Write contention: each files/upload holds the account's namespace for `holdMs`; an upload that
   * arrives while `maxInFlight` are held is refused with too_many_write_operations and Retry-After: 1,
   * as Dropbox does for parallel writes into one account. `variant: '409'` answers it the way the
   * upload route's path error does (409 path/too_many_write_operations); 'both' alternates.
   */
  limitParallelWrites(limit: { maxInFlight: number; holdMs: number; variant?: '429' | '409' | 'both' }): void;
  /**
   * The next `times` files/get_metadata answers leave out `content_hash`, which Dropbox documents as
   * optional in FileMetadata.
   */
  omitContentHash(times: number): void;
  /** How many uploads were refused with too_many_write_operations since the fake started. */
  writeContentionCount(): number;
  /** Moves the fake's clock (codes and tokens expire by it). */
  advanceTime(ms: number): void;
  /** Submits the consent page as the user would; returns where the browser is redirected. */
  consent(authorizeUrl: string, decision: 'allow' | 'deny'): Promise<string>;
  close(): Promise<void>;
}

const ROUTES: Record<string, { scope: string; style: 'rpc' | 'upload' }> = {
  '/2/users/get_current_account': { scope: 'account_info.read', style: 'rpc' },
  '/2/files/get_metadata': { scope: 'files.metadata.read', style: 'rpc' },
  '/2/files/upload': { scope: 'files.content.write', style: 'upload' },
};
const PATH_PATTERN = `did not match pattern '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)|(id:.*)'`;

export async function startDropboxFake(options: DropboxFakeOptions): Promise<DropboxFake> {
  const account = {
    account_id: 'dbid:AADfakeRelaisAccount',
    display_name: 'Relais Test',
    email: 'owner@example.test',
  };
  let skewMs = 0;
  const now = () => Date.now() + skewMs;
  const store = new DropboxFileStore(now);
  const log: LoggedRequest[] = [];
  const failures: InjectedFailure[] = [];
  let uploadAnswerDelayMs = 0;
  let writeLimit: { maxInFlight: number; holdMs: number; variant?: '429' | '409' | 'both' } | undefined;
  const writesInFlight = new Map<string, number>();
  let contentionCount = 0;
  let metadataWithoutHash = 0;

  const app = express();
  app.use(express.raw({ type: () => true, limit: '200mb' }));
  app.use((req, res, next) => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [
        name,
        name === 'authorization' ? String(value).split(' ')[0]! : String(value),
      ]),
    );
    const entry: LoggedRequest = { method: req.method, path: req.path, headers, time: new Date() };
    log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const failure = failures.find((f) => f.path === undefined || f.path === req.path);
    if (!failure) return next();
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
    res.status(failure.status).set(failure.headers ?? {});
    if (typeof failure.body === 'string' || failure.body === undefined)
      res.type('text').send(failure.body ?? '');
    else res.json(failure.body);
  });

  const oauth = mountDropboxOAuth(
    app,
    {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}),
      scopes: options.scopes ?? ['account_info.read', 'files.content.write', 'files.metadata.read'],
      accountId: account.account_id,
      signedInAs: `${account.display_name} (${account.email})`,
    },
    now,
  );

  // --- api.dropboxapi.com/2 and content.dropboxapi.com/2 ---

  app.post('/2/*route', (req, res) => {
    const route = ROUTES[req.path];
    const name = req.path.slice(3);
    const badRequest = (message: string) =>
      void res.status(400).type('text').send(`Error in call to API function "${name}": ${message}`);
    const send = (answer: { status: number; body: unknown }) =>
      void res.status(answer.status).json(answer.body);
    const authError = (tag: string, extra: Record<string, unknown> = {}): RouteError => ({
      status: 401,
      body: { error_summary: `${tag}/..`, error: { '.tag': tag, ...extra } },
    });
    if (!route) return void res.status(404).type('text').send(`Unknown API function: "${name}"`);
    if (!req.get('authorization')) {
      return badRequest('Must provide HTTP header "Authorization" or URL parameter "authorization".');
    }
    const session = oauth.authenticate(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1]);
    if (typeof session === 'string') return send(authError(session));
    if (!session.scopes.includes(route.scope)) {
      return send(authError('missing_scope', { required_scope: route.scope }));
    }

    if (route.style === 'upload') {
      const contentType = req.get('content-type') ?? '';
      if (contentType !== 'application/octet-stream') {
        return badRequest(
          `Bad HTTP "Content-Type" header: "${contentType}". Expecting one of "application/octet-stream".`,
        );
      }
      const arg = readUploadArg(req.get('dropbox-api-arg'));
      if (typeof arg === 'string') return badRequest(`HTTP header "Dropbox-API-Arg": ${arg}`);
      const held = writesInFlight.get(account.account_id) ?? 0;
      if (writeLimit && held >= writeLimit.maxInFlight) {
        contentionCount += 1;
        const as409 =
          writeLimit.variant === '409' || (writeLimit.variant === 'both' && contentionCount % 2 === 0);
        res.set('Retry-After', '1');
        return send(tooManyWriteOperations(as409 ? 409 : 429));
      }
      const answer = store.upload(arg, requestBody(req));
      const holdMs = writeLimit?.holdMs ?? 0;
      writesInFlight.set(account.account_id, held + 1);
      const release = () =>
        writesInFlight.set(account.account_id, (writesInFlight.get(account.account_id) ?? 1) - 1);
      if (holdMs === 0 && uploadAnswerDelayMs === 0) {
        release();
        return send(answer);
      }
      setTimeout(release, holdMs);
      return void setTimeout(() => send(answer), Math.max(holdMs, uploadAnswerDelayMs));
    }
    const body = readRpcBody(req);
    if ('error' in body) return badRequest(body.error);
    if (req.path === '/2/users/get_current_account') {
      if (body.args !== null) return badRequest('request body: expected null, got value');
      return send({ status: 200, body: accountBody(account) });
    }
    const path = (body.args as { path?: unknown } | null)?.path;
    if (typeof path !== 'string' || !path.startsWith('/') || path === '/') {
      return badRequest(`request body: path: '${String(path)}' ${PATH_PATTERN}`);
    }
    const metadata = store.metadata(path);
    if (metadataWithoutHash > 0 && metadata.status === 200) {
      metadataWithoutHash -= 1;
      const { content_hash: _omitted, ...rest } = metadata.body as Record<string, unknown>;
      return send({ status: 200, body: rest });
    }
    send(metadata);
  });

  const server = await listen(app);
  return {
    url: server.url,
    log,
    files: store.files,
    account,
    failNext: (failure) => void failures.push({ ...failure }),
    expireAccessTokens: oauth.expireAccessTokens,
    revokeRefreshToken: oauth.revokeRefreshTokens,
    setSpaceLeft: (bytes) => void (store.spaceLeft = bytes),
    delayUploadAnswers: (ms) => void (uploadAnswerDelayMs = ms),
    limitParallelWrites: (limit) => void (writeLimit = limit),
    writeContentionCount: () => contentionCount,
    omitContentHash: (times) => void (metadataWithoutHash = times),
    advanceTime: (ms) => void (skewMs += ms),
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
          `Dropbox fake refused the authorization request (${response.status}): ${await response.text()}`,
        );
      }
      return location;
    },
    close: server.close,
  };
}

/**
 * Dropbox's answer to parallel writes into one namespace: 429 with the reason in `error`, or on the
 * upload route a 409 route error whose reason is too_many_write_operations.
 */
function tooManyWriteOperations(status: 429 | 409): RouteError {
  const reason = { '.tag': 'too_many_write_operations' };
  if (status === 429) {
    return {
      status,
      body: {
        error_summary: 'too_many_write_operations/..',
        error: { reason, '.tag': 'too_many_write_operations', retry_after: 1 },
      },
    };
  }
  return {
    status,
    body: {
      error_summary: 'path/too_many_write_operations/..',
      error: { '.tag': 'path', reason, upload_session_id: 'pid_upload_session:fake' },
    },
  };
}

/** RPC routes take JSON, or nothing for routes without arguments. */
function readRpcBody(req: Request): { args: unknown } | { error: string } {
  const text = requestBody(req).toString('utf8');
  if (text === '') return { args: null };
  const contentType = req.get('content-type') ?? '';
  if (!contentType.startsWith('application/json')) {
    return {
      error: `Bad HTTP "Content-Type" header: "${contentType}". Expecting one of "application/json".`,
    };
  }
  try {
    return { args: JSON.parse(text) as unknown };
  } catch {
    return { error: 'request body: could not decode input as JSON' };
  }
}

/** Dropbox reads the header as ASCII: anything else must arrive escaped as \uXXXX in the JSON. */
function readUploadArg(header: string | undefined): UploadArg | string {
  if (header === undefined) return 'missing';
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(header)) return 'could not decode input as JSON';
  let arg: Record<string, unknown>;
  try {
    arg = JSON.parse(header) as Record<string, unknown>;
  } catch {
    return 'could not decode input as JSON';
  }
  if (typeof arg.path !== 'string' || !arg.path.startsWith('/')) {
    return `path: '${String(arg.path)}' ${PATH_PATTERN}`;
  }
  const mode =
    typeof arg.mode === 'object' && arg.mode !== null ? (arg.mode as { '.tag'?: unknown })['.tag'] : arg.mode;
  if (mode !== undefined && mode !== 'add' && mode !== 'overwrite')
    return `mode: this fake supports add and overwrite only`;
  if (arg.autorename === true) return 'autorename: this fake does not implement autorename';
  if (arg.content_hash !== undefined && typeof arg.content_hash !== 'string')
    return 'content_hash: expected string';
  return {
    path: arg.path,
    mode: mode ?? 'add',
    strictConflict: arg.strict_conflict === true,
    ...(arg.content_hash === undefined ? {} : { contentHash: arg.content_hash }),
  };
}

function accountBody(account: DropboxFake['account']) {
  const [given = '', surname = ''] = account.display_name.split(' ');
  return {
    account_id: account.account_id,
    name: {
      given_name: given,
      surname,
      familiar_name: given,
      display_name: account.display_name,
      abbreviated_name: `${given[0] ?? ''}${surname[0] ?? ''}`,
    },
    email: account.email,
    email_verified: true,
    disabled: false,
    locale: 'en',
    referral_link: 'https://db.tt/fake',
    is_paired: false,
    account_type: { '.tag': 'basic' },
    root_info: { '.tag': 'user', root_namespace_id: '3235641', home_namespace_id: '3235641' },
    country: 'BE',
  };
}
