/*
 * Reuse of SFTP sessions between deliveries to one server. An SSH handshake, a login and sshd's fork of
 * a new session process cost more than writing an invoice, so a session that just delivered stays open
 * for a few seconds for the next delivery to the same server as the same user with the same pinned host
 * key. The host key was checked when the session was opened; the session cannot change servers.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type SftpClient from 'ssh2-sftp-client';
import { ConnectorError } from '../errors';
import type { SftpSessionOptions } from './client';

export interface OpenSession {
  client: SftpClient;
  hostKeyFingerprint: string;
}

export interface SftpSessionPool {
  /** An open session for these options: an idle one when there is one (and true), else undefined. */
  take(options: SftpSessionOptions): OpenSession | undefined;
  /** Keeps a session that ended its work cleanly for the next caller, or closes it when enough are idle. */
  give(options: SftpSessionOptions, session: OpenSession): void;
  /** Closes every idle session. */
  close(): Promise<void>;
}

interface IdleSession extends OpenSession {
  timer: NodeJS.Timeout;
}

/** Same server, user, credentials and pinned host key; the credentials only as a digest. */
function poolKey(options: SftpSessionOptions): string {
  const { host, port, username } = options.endpoint;
  const secrets = createHash('sha256')
    .update(JSON.stringify([options.secrets.password ?? null, options.secrets.privateKey ?? null]))
    .digest('base64');
  return JSON.stringify([host, port, username, options.pinnedFingerprint ?? null, secrets]);
}

/**
 * ssh2's socket, to let an idle session not hold the process open (a worker shutting down, a test
 * file ending): ssh2-sftp-client keeps the ssh2 Client in `client`, which keeps its socket in `_sock`.
 */
function socketOf(session: OpenSession): Socket | undefined {
  return (session.client as unknown as { client?: { _sock?: Socket } }).client?._sock;
}

export function endSession(session: OpenSession): Promise<void> {
  return session.client.end().then(
    () => undefined,
    () => undefined,
  );
}

export function createSftpSessionPool(options: {
  idleMs: number;
  maxIdlePerServer: number;
}): SftpSessionPool {
  const idle = new Map<string, IdleSession[]>();
  const remove = (key: string, session: IdleSession) => {
    const list = idle.get(key)?.filter((candidate) => candidate !== session) ?? [];
    if (list.length) idle.set(key, list);
    else idle.delete(key);
  };
  return {
    take(sessionOptions) {
      const key = poolKey(sessionOptions);
      const session = idle.get(key)?.pop();
      if (!session) return undefined;
      remove(key, session);
      clearTimeout(session.timer);
      socketOf(session)?.ref();
      return { client: session.client, hostKeyFingerprint: session.hostKeyFingerprint };
    },
    give(sessionOptions, session) {
      const key = poolKey(sessionOptions);
      const list = idle.get(key) ?? [];
      if (options.idleMs <= 0 || list.length >= options.maxIdlePerServer) {
        void endSession(session);
        return;
      }
      const entry: IdleSession = {
        ...session,
        timer: setTimeout(() => {
          remove(key, entry);
          void endSession(entry);
        }, options.idleMs).unref(),
      };
      socketOf(entry)?.unref();
      idle.set(key, [...list, entry]);
    },
    async close() {
      const sessions = [...idle.values()].flat();
      idle.clear();
      for (const session of sessions) clearTimeout(session.timer);
      await Promise.all(sessions.map(endSession));
    },
  };
}

/** A reused session that failed as `unavailable` most likely went stale while idle (the server closed it). */
export function isStaleSessionFailure(error: unknown): boolean {
  return error instanceof ConnectorError && error.kind === 'unavailable';
}
