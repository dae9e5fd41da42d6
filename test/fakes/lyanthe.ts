import { randomBytes } from 'node:crypto';
import express from 'express';
import { listen } from '../helpers/http';

/**
 * Contract fake of the Lyanthe login and administration list as assumed in
 * connectors/lyanthe/README.md (Lyanthe publishes no API):
 * - `POST /api/v1/sessions` `{username, password}` → 201 `{token, expiresIn, organisation: {name,
 *   mailDomain}}`; wrong credentials → 401 `{message}`; a missing field → 400 `{message}`.
 * - `GET /api/v1/administrations` with `Authorization: Bearer <token>` → 200 `{administrations: [{id,
 *   name, mailroomNumber}]}`; an unknown or expired token → 401 `{message}`.
 * Documents never reach this API: they go by e-mail to `<mailroomNumber>-99<p|s>@<mailDomain>`.
 */

export interface FakeLyantheAdministration {
  id: string;
  name: string;
  /** Ten digits. */
  mailroomNumber: string;
}

export interface LyantheFake {
  url: string;
  /** Sign-ins attempted and whether they were accepted (no passwords). */
  logins: Array<{ username: string; accepted: boolean }>;
  close(): Promise<void>;
}

const TOKEN_SECONDS = 3600;

export async function startLyantheFake(options: {
  user: { username: string; password: string };
  organisation: { name: string; mailDomain: string };
  administrations: FakeLyantheAdministration[];
}): Promise<LyantheFake> {
  const tokens = new Map<string, number>();
  const logins: LyantheFake['logins'] = [];
  const app = express();
  app.use(express.json());

  app.post('/api/v1/sessions', (req, res) => {
    const { username, password } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      return res.status(400).json({ message: 'username and password are required' });
    }
    const accepted = username === options.user.username && password === options.user.password;
    logins.push({ username, accepted });
    if (!accepted) return res.status(401).json({ message: 'Unknown user name or wrong password' });
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + TOKEN_SECONDS * 1000);
    res.status(201).json({ token, expiresIn: TOKEN_SECONDS, organisation: options.organisation });
  });

  app.get('/api/v1/administrations', (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const expiresAt = token ? tokens.get(token) : undefined;
    if (expiresAt === undefined || expiresAt < Date.now()) {
      return res.status(401).json({ message: 'Sign in first' });
    }
    res.json({ administrations: options.administrations });
  });

  const server = await listen(app);
  return { url: server.url, logins, close: server.close };
}
