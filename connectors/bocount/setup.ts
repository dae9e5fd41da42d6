import { credentialValues } from '../shared/step-values';
import type { CredentialCheckResult } from '../types';
import { readCompany } from './client';
import type { BocountConfig } from './config';
import { descriptor } from './descriptor';

/** The credentials step: BoCount must let these credentials open this company at this base URL. */
export async function checkBocountCredentials(
  config: BocountConfig,
  values: Record<string, unknown>,
): Promise<CredentialCheckResult> {
  const { username, password, companyNumber, baseUrl } = credentialValues(descriptor, values);
  const file = { baseUrl: baseUrl!, username: username!, password: password!, companyNumber: companyNumber! };
  const company = await readCompany(config, file);
  return {
    secrets: { password: file.password },
    settings: { username: file.username, companyNumber: file.companyNumber, baseUrl: file.baseUrl },
    account: { id: `${file.companyNumber}@${new URL(file.baseUrl).host}`, name: company.name },
  };
}
