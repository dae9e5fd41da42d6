/*
 * Contract fake of a Count-e API instance as connectors/count-e/README.md writes down the ASSUMED
 * contract (Count-e publishes none): POST /api/v1/login with user name, password and database gives a
 * Bearer token valid for that database; the documents collection of shared assumed-documents.ts under
 * /api/v1/databases/{database}/documents, each filing tagged with X-Customer-Number.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { TestCertificate } from '../helpers/test-certificate';
import { createAssumedTarget, type AssumedTargetFake } from './assumed-documents';

export interface CountEFakeOptions {
  username: string;
  password: string;
  /** The databases this login may open. */
  databases: string[];
}

export interface CountEFake extends AssumedTargetFake {
  /** Ends every session (as a password change would); new logins with the right password still work. */
  endSessions(): void;
  /** Changes the password: the old one is refused from now on. */
  changePassword(password: string): void;
}

export async function startCountEFake(
  options: CountEFakeOptions,
  certificate: TestCertificate,
): Promise<CountEFake> {
  const target = createAssumedTarget();
  const sessions = new Map<string, string>(); // token → database
  let password = options.password;

  target.app.post('/api/v1/login', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.username !== options.username || body.password !== password) {
      res.status(401).json({ message: 'Unknown user name or wrong password.' });
      return;
    }
    if (typeof body.database !== 'string' || !options.databases.includes(body.database)) {
      res.status(404).json({ message: `Database ${String(body.database)} does not exist for this user.` });
      return;
    }
    const token = randomBytes(18).toString('base64url');
    sessions.set(token, body.database);
    res.json({ token, expiresIn: 3600 });
  });

  const authorize = (req: Request, res: Response) => {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    const database = scheme === 'Bearer' && token ? sessions.get(token) : undefined;
    if (!database) {
      res.status(401).json({ message: 'The session has expired. Log in again.' });
      return undefined;
    }
    if (database !== req.params.database) {
      res.status(403).json({ message: `This session is for database ${database}.` });
      return undefined;
    }
    return database;
  };
  target.mountDocuments({
    path: '/api/v1/databases/:database/documents',
    authorize,
    requiredTags: ['x-customer-number'],
  });
  const listening = await target.listen(certificate);
  return {
    ...listening,
    endSessions: () => sessions.clear(),
    changePassword: (next) => {
      password = next;
      sessions.clear();
    },
  };
}
