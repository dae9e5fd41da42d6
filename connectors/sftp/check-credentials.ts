import { randomBytes } from 'node:crypto';
import { ConnectorError } from '../errors';
import type { CredentialCheckResult, Settings } from '../types';
import { joinRemote, withSftpSession, type SftpReach } from './client';
import { credentialValuesSchema } from './descriptor';
import { fixedBaseDirectory } from './upload-path';

/**
 * The credentials step: logs in, makes sure the upload folder exists (the part of the path before any
 * variable), and proves deliveries will work there by doing what a delivery does with a probe file:
 * write it under a temporary name, rename it, remove it. The server's host key is trusted on first use
 * and recorded, so deliveries refuse any other key; a later check of the same server (re-authorization)
 * refuses a changed key too, unless the user confirms the new fingerprint in `trustHostKey`.
 */
export async function checkSftpCredentials(
  values: Record<string, unknown>,
  settings: Settings,
  reach: SftpReach,
): Promise<CredentialCheckResult> {
  const parsed = credentialValuesSchema.safeParse(values);
  if (!parsed.success) {
    throw new ConnectorError(
      'invalid-credentials',
      parsed.error.issues.map((issue) => issue.message).join('; '),
    );
  }
  const { username, host, port, uploadPath, password, privateKey, trustHostKey } = parsed.data;
  // Re-checking a connection to the same server keeps its recorded key, unless the user confirms a new one.
  const sameServer = settings.host === host && settings.port === port;
  const recorded =
    sameServer && typeof settings.hostKeyFingerprint === 'string' ? settings.hostKeyFingerprint : undefined;
  const pinnedFingerprint = trustHostKey ?? recorded;
  // Each field may be empty on its own; together, one of them is needed.
  if (password === undefined && privateKey === undefined) {
    throw new ConnectorError(
      'invalid-credentials',
      'Enter the password of the SSH account, or paste a private key.',
    );
  }
  const secrets: Record<string, string> = {};
  if (password !== undefined) secrets.password = password;
  if (privateKey !== undefined) secrets.privateKey = privateKey;

  const baseDirectory = fixedBaseDirectory(uploadPath);
  const hostKeyFingerprint = await withSftpSession(
    {
      endpoint: { host, port, username },
      secrets: { password, privateKey },
      ...reach,
      phase: 'setup',
      ...(pinnedFingerprint ? { pinnedFingerprint } : {}),
    },
    async (session) => {
      await session.makeDirectories(baseDirectory);
      const probe = joinRemote(baseDirectory, `.relais-write-test-${randomBytes(6).toString('hex')}`);
      await session.write(`${probe}.part`, Buffer.from('Relais checks that it may deliver files here.\n'));
      await session.rename(`${probe}.part`, probe);
      await session.remove(probe);
      return session.hostKeyFingerprint;
    },
  );

  const account = `${username}@${host}:${port}`;
  return {
    secrets,
    // The confirmation is spent: what stays recorded is the fingerprint itself.
    settings: { host, port, username, uploadPath, hostKeyFingerprint, trustHostKey: undefined },
    account: { id: account, name: account },
  };
}
