import { randomBytes } from 'node:crypto';
import express, { type Response } from 'express';
import { listen } from '../helpers/http';

/**
 * Contract fake of Zenvoices' API as Relais uses it. Documented: `POST /api/TokenAuth/TokenLogin`
 * `{userNameOrEmailAddress, password, tenancyName}` answering in the ABP envelope, a refused sign-in as
 * ABP's user-friendly error (HTTP 500, `success: false`, `error.message`/`details`), tokens valid 24 h.
 * Assumed (see connectors/zenvoices/README.md): `GET /public-api/v1/administrations` with the bearer
 * token, `result.items` of `{id, name, code, emailAddress?}`. Documents never reach this API: they go
 * by e-mail to the administration's address.
 */

export interface FakeZenvoicesUser {
  tenancyName: string;
  userNameOrEmailAddress: string;
  password: string;
}

export interface FakeZenvoicesAdministration {
  id: number;
  name: string;
  code: string;
  /** Absent: the API shows no inbox address for it (the setup then asks for one). */
  emailAddress?: string;
}

export interface ZenvoicesFake {
  url: string;
  /** Sign-ins attempted, with their outcome (no passwords). */
  logins: Array<{ tenancyName: string; user: string; accepted: boolean }>;
  /** The next request to a path containing `path` answers `status` with this body (an outage). */
  failNext(path: string, status: number, body?: string): void;
  close(): Promise<void>;
}

const TOKEN_SECONDS = 86_400;

const abpError = (res: Response, status: number, message: string, details?: string) =>
  res.status(status).json({
    result: null,
    targetUrl: null,
    success: false,
    error: { code: 0, message, details: details ?? null, validationErrors: null },
    unAuthorizedRequest: status === 401,
    __abp: true,
  });

export async function startZenvoicesFake(options: {
  users: FakeZenvoicesUser[];
  administrations: FakeZenvoicesAdministration[];
}): Promise<ZenvoicesFake> {
  const tokens = new Map<string, { expiresAt: number }>();
  const logins: ZenvoicesFake['logins'] = [];
  const failures: Array<{ path: string; status: number; body: string }> = [];
  const app = express();
  app.use(express.json());

  app.use((req, res, next) => {
    const index = failures.findIndex((failure) => req.path.includes(failure.path));
    if (index < 0) return next();
    const [failure] = failures.splice(index, 1);
    res.status(failure!.status).type('text/html').send(failure!.body);
  });

  app.post('/api/TokenAuth/TokenLogin', (req, res) => {
    const { userNameOrEmailAddress, password, tenancyName } = (req.body ?? {}) as Record<string, unknown>;
    if (
      typeof userNameOrEmailAddress !== 'string' ||
      typeof password !== 'string' ||
      !userNameOrEmailAddress
    ) {
      return abpError(
        res,
        400,
        'Your request is not valid!',
        'The UserNameOrEmailAddress field is required.',
      );
    }
    const tenant = options.users.filter((user) => user.tenancyName === tenancyName);
    if (typeof tenancyName !== 'string' || tenant.length === 0) {
      logins.push({ tenancyName: String(tenancyName), user: userNameOrEmailAddress, accepted: false });
      return abpError(
        res,
        500,
        'Login failed!',
        `There is no tenant defined with name ${String(tenancyName)}`,
      );
    }
    const user = tenant.find(
      (u) =>
        u.userNameOrEmailAddress.toLowerCase() === userNameOrEmailAddress.toLowerCase() &&
        u.password === password,
    );
    logins.push({ tenancyName, user: userNameOrEmailAddress, accepted: Boolean(user) });
    if (!user) return abpError(res, 500, 'Login failed!', 'Invalid user name or password');
    const accessToken = randomBytes(24).toString('base64url');
    tokens.set(accessToken, { expiresAt: Date.now() + TOKEN_SECONDS * 1000 });
    res.json({
      result: {
        accessToken,
        encryptedAccessToken: Buffer.from(accessToken).toString('base64'),
        expireInSeconds: TOKEN_SECONDS,
        refreshToken: randomBytes(24).toString('base64url'),
        refreshTokenExpireInSeconds: 365 * 86_400,
        userId: 1,
      },
      targetUrl: null,
      success: true,
      error: null,
      unAuthorizedRequest: false,
      __abp: true,
    });
  });

  app.get('/public-api/v1/administrations', (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const known = token ? tokens.get(token) : undefined;
    if (!known || known.expiresAt < Date.now()) {
      return abpError(res, 401, 'Current user did not login to the application!');
    }
    res.json({
      result: { totalCount: options.administrations.length, items: options.administrations },
      targetUrl: null,
      success: true,
      error: null,
      unAuthorizedRequest: false,
      __abp: true,
    });
  });

  const server = await listen(app);
  return {
    url: server.url,
    logins,
    failNext: (path, status, body = '<html><body>Service Unavailable</body></html>') =>
      failures.push({ path, status, body }),
    close: server.close,
  };
}
