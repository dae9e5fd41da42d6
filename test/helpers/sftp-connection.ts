import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestRelais, TestTenant } from './relais';
import type { SshServer } from './sshd';

/**
 * An SFTP connection to the test's OpenSSH server set up through the API (format, credentials checked
 * live, terms). Returns its id once it is active.
 */
export async function connectSftp(
  relais: TestRelais,
  sshd: SshServer,
  options: {
    documentType: 'purchase-invoice' | 'sales-invoice';
    uploadPath: string;
    tenant?: TestTenant;
    format?: string;
  },
): Promise<string> {
  const as = options.tenant ? { tenant: options.tenant } : {};
  const expect = async (answer: Promise<{ status: number; body: unknown }>, what: string) => {
    const { status, body } = await answer;
    if (status >= 300) throw new Error(`${what} answered ${status}: ${JSON.stringify(body)}`);
    return body as { connection: { id: string; status: string } };
  };
  const created = await expect(
    relais.api('POST', '/v1/connections', { connectorId: 'sftp', documentType: options.documentType }, as),
    'creating the SFTP connection',
  );
  const id = created.connection.id;
  await expect(
    relais.api('POST', `/v1/connections/${id}/steps/format`, { format: options.format ?? 'ubl-be-3' }, as),
    'the format step',
  );
  await expect(
    relais.api(
      'POST',
      `/v1/connections/${id}/steps/credentials`,
      {
        values: {
          username: sshd.username,
          password: sshd.password,
          host: sshd.host,
          port: sshd.port,
          uploadPath: options.uploadPath,
        },
      },
      as,
    ),
    'the credentials step',
  );
  await expect(
    relais.api(
      'POST',
      `/v1/connections/${id}/steps/terms`,
      { accepted: true, termsVersion: '2026-01', acceptedBy: 'delivery-tests@example.test' },
      as,
    ),
    'the terms step',
  );
  const read = await expect(
    relais.api('GET', `/v1/connections/${id}`, undefined, as),
    'reading the connection',
  );
  if (read.connection.status !== 'active')
    throw new Error(`SFTP connection ${id} is ${read.connection.status}`);
  return id;
}

/** Every file under `root` (relative paths, sorted): what the customer's import job would see. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.startsWith('.'))
    .sort();
}
