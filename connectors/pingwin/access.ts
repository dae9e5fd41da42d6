import { ConnectorError } from '../errors';
import type { Credentials, Settings } from '../types';
import type { PingwinAccess } from './client';

/** The key (from the encrypted authorization) with the CLID and file ID kept in the connection's settings. */
export function pingwinAccess(settings: Settings, credentials: Credentials): PingwinAccess {
  const apiKey = credentials.kind === 'secrets' ? credentials.secrets.apiKey : undefined;
  const { clid, fileId } = settings;
  if (!apiKey || typeof clid !== 'string' || typeof fileId !== 'string') {
    throw new ConnectorError(
      'misconfigured',
      'This PingWin connection lacks its API key, CLID or file ID. Enter the PingWin details again.',
    );
  }
  return { apiKey, clid, fileId };
}
