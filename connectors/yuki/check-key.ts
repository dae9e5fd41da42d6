import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { CredentialCheckResult } from '../types';
import { authenticate } from './client';
import type { YukiConfig } from './config';
import { yukiCountries } from './descriptor';
import type { YukiSessions } from './session';

const credentialValues = z.object({
  apiKey: z.string().trim().min(1, 'Enter your Yuki API key (of type Domain)'),
  country: z.enum(yukiCountries).default('be'),
});

/**
 * The credentials step: Yuki's Authenticate with the key on the chosen country's host. A refused key is
 * `invalid-credentials` with Yuki's words (the API answers 422); the session it opens is kept for the
 * administrations list that follows.
 */
export async function checkYukiKey(
  config: YukiConfig,
  sessions: YukiSessions,
  values: Record<string, unknown>,
): Promise<CredentialCheckResult> {
  const parsed = credentialValues.safeParse(values);
  if (!parsed.success) {
    throw new ConnectorError(
      'invalid-credentials',
      parsed.error.issues.map((issue) => issue.message).join('; '),
    );
  }
  const { apiKey, country } = parsed.data;
  const endpoint = { baseUrl: config.baseUrls[country], timeoutMs: config.timeoutMs };
  sessions.set(endpoint, apiKey, await authenticate(endpoint, apiKey, 'setup'));
  const host = new URL(endpoint.baseUrl).host;
  return {
    secrets: { apiKey },
    settings: { country },
    account: { id: `yuki:${country}`, name: `Yuki (${host})` },
  };
}
