import { credentialRefusal } from '../shared/target-request';
import { ConnectorError } from '../errors';
import { fileOnce } from '../shared/file-once';
import { endpoint, exchange, jsonOf, type Exchange } from '../shared/user-url-http';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import type { BocountConfig } from './config';

/** One client file at an accountant's BoCount web service, signed in with that client's credentials. */
export interface BocountFile {
  baseUrl: string;
  username: string;
  password: string;
  companyNumber: string;
}

const TARGET = 'BoCount';

/** [assume] HTTP Basic with the per-client web-service credentials on every request. */
function authorization({ username, password }: BocountFile): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * The one harmless call of the setup: reads the company the credentials give access to. Returns its
 * name as BoCount knows it; a refusal carries BoCount's words.
 */
export async function readCompany(config: BocountConfig, file: BocountFile): Promise<{ name: string }> {
  const how: Exchange = {
    target: TARGET,
    action: `open company ${file.companyNumber}`,
    policy: config.policy,
  };
  const url = endpoint(file.baseUrl, config.companyPath, { companyNumber: file.companyNumber });
  const answer = await exchange(how, url, {
    headers: { authorization: authorization(file), accept: 'application/json' },
  });
  if (answer.status !== 200) throw credentialRefusal(how.target, answer);
  const company = jsonOf<{ name?: unknown }>(how, answer);
  if (typeof company.name !== 'string') {
    throw new ConnectorError('invalid-credentials', `${TARGET} did not name company ${file.companyNumber}.`);
  }
  return { name: company.name };
}

/** Files the e-FFF document in the client's company, exactly once (see shared/file-once.ts). */
export function fileDocument(
  config: BocountConfig,
  file: BocountFile,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  return fileOnce(
    { target: TARGET, policy: config.policy },
    {
      url: endpoint(file.baseUrl, config.documentsPath, { companyNumber: file.companyNumber }),
      externalIdParam: config.externalIdParam,
      externalIdHeader: config.externalIdHeader,
      headers: { authorization: authorization(file) },
    },
    input,
  );
}
