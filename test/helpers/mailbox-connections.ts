import type { TestRelais } from './relais';

type DocumentType = 'purchase-invoice' | 'sales-invoice';

/** Walks a connection's setup through the API; throws with the answer when a step is refused. */
async function walk(
  relais: TestRelais,
  connectorId: string,
  documentType: DocumentType,
  steps: Array<[string, unknown]>,
): Promise<string> {
  const created = await relais.api('POST', '/v1/connections', { connectorId, documentType });
  if (created.status !== 201) throw new Error(`creating ${connectorId}: ${JSON.stringify(created.body)}`);
  const id: string = created.body.connection.id;
  for (const [step, body] of [
    ...steps,
    ['terms', { accepted: true, termsVersion: '2026-01', acceptedBy: 'mailbox-tests@example.test' }],
  ] as Array<[string, unknown]>) {
    const answer = await relais.api('POST', `/v1/connections/${id}/steps/${step}`, body);
    if (answer.status !== 200) throw new Error(`${connectorId} ${step} step: ${JSON.stringify(answer.body)}`);
  }
  const read = await relais.api('GET', `/v1/connections/${id}`);
  if (read.body.connection.status !== 'active')
    throw new Error(`${connectorId} ${id} is ${read.body.connection.status}`);
  return id;
}

/** A Zenvoices connection set up through the API: sign-in, one administration, terms. */
export function connectZenvoices(
  relais: TestRelais,
  options: {
    documentType: DocumentType;
    login: { username: string; password: string; organisationCode: string };
    administrationId: string;
    mailbox?: string;
  },
): Promise<string> {
  return walk(relais, 'zenvoices', options.documentType, [
    ['credentials', { values: options.login }],
    [
      'administration',
      {
        administrationIds: [options.administrationId],
        values: options.mailbox ? { mailbox: options.mailbox } : {},
      },
    ],
  ]);
}

/** A Lyanthe connection set up through the API: sign-in, one administration, terms. */
export function connectLyanthe(
  relais: TestRelais,
  options: {
    documentType: DocumentType;
    login: { username: string; password: string };
    administrationId: string;
  },
): Promise<string> {
  return walk(relais, 'lyanthe', options.documentType, [
    ['credentials', { values: options.login }],
    ['administration', { administrationIds: [options.administrationId], values: {} }],
  ]);
}
