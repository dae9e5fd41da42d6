import { credentialRefusal } from '../shared/target-request';
import { ConnectorError } from '../errors';
import { fileOnce } from '../shared/file-once';
import { endpoint, exchange, jsonOf, successOrFailure, type Exchange } from '../shared/user-url-http';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import type { CountEConfig } from './config';

/** One Count-e account: its API instance, login and database. */
export interface CountEAccount {
  apiUrl: string;
  username: string;
  password: string;
  database: string;
}

const TARGET = 'Count-e';

/**
 * [assume] POST login with the user name, password and database as JSON; the answer's `token` is a
 * Bearer token for the calls that follow. Not kept: each delivery signs in again (one extra call), so
 * no session outlives the attempt. At setup a refusal is the user's to correct; at delivery it means
 * the stored password no longer works.
 */
export async function logIn(
  config: CountEConfig,
  account: CountEAccount,
  phase: 'setup' | 'delivery',
): Promise<string> {
  const how: Exchange = {
    target: TARGET,
    action: `sign in to database ${account.database}`,
    policy: config.policy,
  };
  const answer = await exchange(how, endpoint(account.apiUrl, config.loginPath), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      username: account.username,
      password: account.password,
      database: account.database,
    }),
  });
  if (phase === 'setup' && (answer.status < 200 || answer.status >= 300))
    throw credentialRefusal(how.target, answer);
  const { token } = jsonOf<{ token?: unknown }>(how, successOrFailure(how, answer));
  if (typeof token !== 'string' || !token) {
    throw new ConnectorError('unavailable', `${TARGET} signed in without giving a session token.`, {
      status: answer.status,
    });
  }
  return token;
}

/** Files the e-FFF document in the account's database for this customer number, exactly once. */
export async function fileDocument(
  config: CountEConfig,
  account: CountEAccount,
  customerNumber: string,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  const token = await logIn(config, account, 'delivery');
  return fileOnce(
    { target: TARGET, policy: config.policy },
    {
      url: endpoint(account.apiUrl, config.documentsPath, { database: account.database }),
      externalIdParam: config.externalIdParam,
      externalIdHeader: config.externalIdHeader,
      headers: { authorization: `Bearer ${token}`, [config.customerNumberHeader]: customerNumber },
    },
    input,
  );
}
