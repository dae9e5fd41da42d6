/*
 * One SFTP session with ssh2-sftp-client: connect with the host key checked, run the caller's work,
 * always end. Every failure leaves here as a ConnectorError. ssh2-sftp-client v12 does not retry a
 * failed connect by itself: retries are the activity's (Temporal's) business.
 */
import { createHash } from 'node:crypto';
import SftpClient from 'ssh2-sftp-client';
import { ConnectorError } from '../errors';
import { assertPublicHost, type NetworkPolicy } from '../shared/network-guard';
import { inSpan } from '../shared/trace-span';
import { allowListAdvice } from './outbound-ips';
import { endSession, isStaleSessionFailure, type OpenSession, type SftpSessionPool } from './session-pool';

export interface SftpEndpoint {
  host: string;
  port: number;
  username: string;
}

export interface SftpSecrets {
  password?: string;
  privateKey?: string;
}

/** How Relais reaches SFTP servers: the operator's configuration, the same for every connection. */
export interface SftpReach {
  /** Bound on reaching the server and finishing the SSH handshake and login. */
  connectTimeoutMs: number;
  /** The SSRF guard's allowances: the customer's host must be public unless allow-listed here. */
  networkPolicy: NetworkPolicy;
  /** RELAIS_OUTBOUND_IPS: named in the could-not-connect message when configured; empty, IPs go unmentioned. */
  outboundIps: readonly string[];
}

export interface SftpSessionOptions extends SftpReach {
  endpoint: SftpEndpoint;
  secrets: SftpSecrets;
  /** The fingerprint recorded at setup. Absent at setup itself, where the key is trusted on first use. */
  pinnedFingerprint?: string;
  /** A refused login at setup is a typo to correct; at delivery, the connection needs new credentials. */
  phase: 'setup' | 'delivery';
}

export interface RemoteEntry {
  type: 'file' | 'directory' | 'other';
  size: number;
}

export interface SftpSession {
  /** The server's host key, checked against the pinned one before the password or key was sent. */
  hostKeyFingerprint: string;
  /** What is at `path` (following symbolic links), or undefined when nothing is. */
  stat(path: string): Promise<RemoteEntry | undefined>;
  read(path: string): Promise<Buffer>;
  /** mkdir -p: creates the missing folders of `path`; "." is the login folder, which exists. */
  makeDirectories(path: string): Promise<void>;
  write(path: string, content: Buffer): Promise<void>;
  /** Atomic and never replacing: fails when `to` exists. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; nothing there is fine. */
  remove(path: string): Promise<void>;
}

/** `SHA256:` + unpadded base64 of the key blob's SHA-256: what `ssh-keygen -l` and `ssh` print. */
export function sshFingerprint(hostKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '')}`;
}

export function joinRemote(directory: string, name: string): string {
  return directory === '.' ? name : `${directory}/${name}`;
}

/**
 * Runs `work` in an SFTP session and ends it. With a pool, an idle session to the same server, user and
 * pinned key is used when there is one, and the session is kept for the next caller when the work
 * succeeded. A reused session that fails as `unavailable` probably went stale while idle: the work runs
 * again once in a fresh session (it must be safe to repeat, as every activity's work is).
 */
export function withSftpSession<T>(
  options: SftpSessionOptions,
  work: (session: SftpSession) => Promise<T>,
  pool?: SftpSessionPool,
): Promise<T> {
  // The server and the port only: the user name and the paths are the customer's.
  const where = { 'server.address': options.endpoint.host, 'server.port': options.endpoint.port };
  return inSpan('sftp session', { ...where, 'relais.sftp.phase': options.phase }, (span) =>
    inSession(options, work, pool, (reused) => span.setAttribute('relais.sftp.session_reused', reused)),
  );
}

async function inSession<T>(
  options: SftpSessionOptions,
  work: (session: SftpSession) => Promise<T>,
  pool: SftpSessionPool | undefined,
  noteReuse: (reused: boolean) => void,
): Promise<T> {
  const reused = pool?.take(options);
  noteReuse(reused !== undefined);
  if (reused) {
    try {
      const result = await work(createSession(reused.client, reused.hostKeyFingerprint, options));
      pool!.give(options, reused);
      return result;
    } catch (error) {
      await endSession(reused);
      if (!isStaleSessionFailure(error)) throw error;
    }
  }
  // Failures reach us through the promises; the library's default listeners would print them to the console.
  const client = new SftpClient('relais', {
    error: () => undefined,
    end: () => undefined,
    close: () => undefined,
  });
  const opened: OpenSession = { client, hostKeyFingerprint: await connect(client, options) };
  let result: T;
  try {
    result = await work(createSession(client, opened.hostKeyFingerprint, options));
  } catch (error) {
    await endSession(opened);
    throw error;
  }
  if (pool) pool.give(options, opened);
  else await endSession(opened);
  return result;
}

type SshError = Error & { level?: string; code?: string | number };

async function connect(client: SftpClient, options: SftpSessionOptions): Promise<string> {
  const { endpoint, secrets, pinnedFingerprint } = options;
  // The host is the customer's to choose: connect only to the address the SSRF guard checked.
  let address: string;
  try {
    address = (await assertPublicHost(endpoint.host, options.networkPolicy, endpoint.port))[0]!.address;
  } catch (error) {
    throw error instanceof ConnectorError
      ? error
      : classifyConnectFailure(error as SshError, undefined, options);
  }
  let presented: string | undefined;
  // ssh2-sftp-client rewraps errors and drops ssh2's `level` (authentication, timeout, socket, ...).
  let firstSshError: SshError | undefined;
  const recordError = (error: SshError) => (firstSshError ??= error);
  client.on('error', recordError);
  try {
    await client.connect({
      host: address,
      port: endpoint.port,
      username: endpoint.username,
      password: secrets.password,
      privateKey: secrets.privateKey,
      tryKeyboard: false,
      readyTimeout: options.connectTimeoutMs,
      // Refusing here ends the handshake before authentication: a changed key never sees the password.
      hostVerifier: (key: Buffer) => {
        presented = sshFingerprint(key);
        return pinnedFingerprint === undefined || presented === pinnedFingerprint;
      },
    });
  } catch (error) {
    dropTransport(client);
    throw classifyConnectFailure(firstSshError ?? (error as SshError), presented, options);
  } finally {
    client.removeListener('error', recordError);
  }
  if (presented === undefined) throw new Error('ssh2 connected without asking to verify the host key');
  return presented;
}

/** ssh2-sftp-client ends only sessions whose SFTP channel opened; a failed connect may leave the SSH link up. */
function dropTransport(client: SftpClient): void {
  (client as unknown as { client: { end(): void } }).client.end();
}

function classifyConnectFailure(
  error: SshError,
  presented: string | undefined,
  options: SftpSessionOptions,
): ConnectorError {
  const { pinnedFingerprint, connectTimeoutMs } = options;
  const { host, port } = options.endpoint;
  if (pinnedFingerprint !== undefined && presented !== undefined && presented !== pinnedFingerprint) {
    return new ConnectorError(
      'misconfigured',
      `The SFTP server's host key has changed (was ${pinnedFingerprint}, now ${presented}). If the server was ` +
        `reinstalled, reconnect and enter ${presented} as the trusted host key; otherwise contact your server administrator.`,
    );
  }
  const refusedLogin = options.phase === 'setup' ? 'invalid-credentials' : 'auth-expired';
  const reconnect = options.phase === 'setup' ? '' : ' Enter the current credentials to reconnect.';
  if (error.level === 'client-authentication') {
    return new ConnectorError(
      refusedLogin,
      `The SFTP server refused the user name or password/key.${reconnect}`,
    );
  }
  // ssh2 throws these before connecting when it cannot use the key (a passphrase, an unknown format).
  if (error.level === undefined && /private ?key|passphrase/i.test(error.message)) {
    return new ConnectorError(
      refusedLogin,
      `The private key could not be read: use the whole key in OpenSSH or PEM format, without a passphrase.${reconnect}`,
    );
  }
  const reason = unreachableReason(error, connectTimeoutMs);
  return new ConnectorError(
    'unavailable',
    `Could not connect to the SFTP server ${host} on port ${port}: ${reason}. Check the host and port` +
      `${allowListAdvice(options.outboundIps)}.`,
    { cause: error },
  );
}

function unreachableReason(error: SshError, connectTimeoutMs: number): string {
  if (error.level === 'client-timeout' || error.code === 'ETIMEDOUT') {
    const seconds = Math.max(1, Math.round(connectTimeoutMs / 1000));
    return `no answer within ${seconds} second${seconds === 1 ? '' : 's'}`;
  }
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name could not be found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host cannot be reached from our network';
    case 'ECONNRESET':
      return 'the server closed the connection';
    default:
      return `the SSH handshake failed (${error.message})`;
  }
}

function createSession(
  client: SftpClient,
  hostKeyFingerprint: string,
  options: SftpSessionOptions,
): SftpSession {
  /** Runs one SFTP request; its failure says what we were doing, in the user's terms. */
  async function attempt<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classifyRequestFailure(error as SshError, action, options);
    }
  }

  const session: SftpSession = {
    hostKeyFingerprint,
    async stat(path) {
      try {
        const stats = await client.stat(path);
        const type = stats.isFile ? 'file' : stats.isDirectory ? 'directory' : 'other';
        return { type, size: stats.size };
      } catch (error) {
        if ((error as SshError).code === 'ENOENT') return undefined;
        throw classifyRequestFailure(error as SshError, `look up ${path}`, options);
      }
    },
    read: (path) => attempt(`read ${path}`, async () => (await client.get(path)) as Buffer),
    async makeDirectories(path) {
      if (path === '.' || (await session.stat(path))?.type === 'directory') return;
      const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
      await session.makeDirectories(parent);
      const existing = await session.stat(path);
      if (existing?.type === 'directory') return;
      if (existing) {
        throw new ConnectorError(
          'misconfigured',
          `The SFTP server has a file named ${path} where the upload folder should be. Rename it, or change the upload path.`,
        );
      }
      await attempt(`create the folder ${path}`, async () => {
        try {
          // "./": ssh2-sftp-client's mkdir mangles relative paths that start with a dot (".invoices").
          await client.mkdir(`./${path}`);
        } catch (error) {
          // Another delivery may have created it a moment ago (OpenSSH then answers a bare "failure").
          if ((await session.stat(path))?.type !== 'directory') throw error;
        }
      });
    },
    write: (path, content) =>
      attempt(`write ${path}`, async () => {
        await client.put(content, path);
      }),
    // The plain SFTP rename, never posix-rename@openssh.com: that one replaces an existing target,
    // and a file that appeared since we looked (another delivery, the customer) must not be lost.
    // OpenSSH's sftp-server links the new name (link(2) fails on an existing one), then unlinks the old.
    rename: (from, to) =>
      attempt(`rename ${from} to ${to}`, async () => {
        await client.rename(from, to);
      }),
    remove: (path) =>
      attempt(`remove ${path}`, async () => {
        await client.delete(path, true);
      }),
  };
  return session;
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02) as ssh2 reports them in `code`. */
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

function classifyRequestFailure(
  error: SshError,
  action: string,
  options: SftpSessionOptions,
): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const { host, port, username } = options.endpoint;
  if (
    error.code === SFTP_PERMISSION_DENIED ||
    error.code === 'EACCES' ||
    /permission denied/i.test(error.message)
  ) {
    return new ConnectorError(
      'misconfigured',
      `The SFTP server did not let ${username} ${action}: permission denied. Choose an upload path this user may ` +
        'write to, or give it the rights on the server.',
      { cause: error },
    );
  }
  if (error.code === SFTP_NO_SUCH_FILE || error.code === 'ERR_BAD_PATH' || error.code === 'ENOTDIR') {
    return new ConnectorError(
      'misconfigured',
      `The SFTP server could not ${action}: a folder on the way is missing or is a file. Check the upload path.`,
      { cause: error },
    );
  }
  return new ConnectorError(
    'unavailable',
    `The SFTP server ${host} on port ${port} could not ${action}, or the connection was lost.`,
    { cause: error },
  );
}
