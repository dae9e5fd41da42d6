import { credentialValues } from '../shared/step-values';
import type { CredentialCheckResult } from '../types';
import { logIn } from './client';
import type { CountEConfig } from './config';
import { descriptor } from './descriptor';

/** The credentials step: one sign-in to the account's Count-e API with its database proves them. */
export async function checkCountECredentials(
  config: CountEConfig,
  values: Record<string, unknown>,
): Promise<CredentialCheckResult> {
  const { username, password, apiUrl, database, customerNumber } = credentialValues(descriptor, values);
  const account = { apiUrl: apiUrl!, username: username!, password: password!, database: database! };
  await logIn(config, account, 'setup');
  const name = `${account.username} · ${account.database}`;
  return {
    secrets: { password: account.password },
    settings: {
      apiUrl: account.apiUrl,
      username: account.username,
      database: account.database,
      customerNumber: customerNumber!,
    },
    account: { id: `${account.username}@${account.database}@${new URL(account.apiUrl).host}`, name },
  };
}
