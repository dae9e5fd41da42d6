import { startDropboxFake, type DropboxFake } from '../fakes/dropbox';
import { signInThroughBrowser } from './browser';
import type { TestRelais, TestTenant } from './relais';

/** The Relais app as registered in the (fake) Dropbox App Console. */
const DROPBOX_APP = { clientId: 'relais-delivery-tests', clientSecret: 'dropbox-delivery-secret-7' };

export function startDropbox(): Promise<DropboxFake> {
  return startDropboxFake(DROPBOX_APP);
}

/** The environment that points Relais's Dropbox connector at the fake. */
export function dropboxEnv(fake: DropboxFake): Record<string, string> {
  return {
    DROPBOX_API_URL: fake.url,
    DROPBOX_CONTENT_URL: fake.url,
    DROPBOX_AUTHORIZE_URL: `${fake.url}/oauth2/authorize`,
    DROPBOX_CLIENT_ID: DROPBOX_APP.clientId,
    DROPBOX_CLIENT_SECRET: DROPBOX_APP.clientSecret,
  };
}

type Api = TestRelais['api'];

async function call(relais: TestRelais, tenant: TestTenant | undefined, ...args: Parameters<Api>) {
  const [method, path, body] = args;
  const answer = await relais.api(method, path, body, tenant ? { tenant } : {});
  if (answer.status >= 300) {
    throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/** Answers the oauth step and signs in through the fake's consent page as a browser would. */
async function signIn(relais: TestRelais, fake: DropboxFake, connectionId: string, tenant?: TestTenant) {
  const oauth = await call(relais, tenant, 'POST', `/v1/connections/${connectionId}/steps/oauth`, {
    values: {},
    returnUrl: `${relais.url}/setup/done`,
  });
  const { returnedTo } = await signInThroughBrowser(oauth.connection.setup.oauth.startUrl, (url) =>
    fake.consent(url, 'allow'),
  );
  if (returnedTo.searchParams.get('status') !== 'ok') {
    throw new Error(`The Dropbox sign-in did not complete: ${returnedTo.searchParams.get('message')}`);
  }
}

/**
 * A Dropbox connection set up through the API, as the setup wizard does it: format, sign-in through
 * the fake's consent page, terms. Returns its id once it is active.
 */
export async function connectDropbox(
  relais: TestRelais,
  fake: DropboxFake,
  options: { documentType: 'purchase-invoice' | 'sales-invoice'; tenant?: TestTenant; format?: string },
): Promise<string> {
  const { tenant } = options;
  const created = await call(relais, tenant, 'POST', '/v1/connections', {
    connectorId: 'dropbox',
    documentType: options.documentType,
  });
  const id: string = created.connection.id;
  await call(relais, tenant, 'POST', `/v1/connections/${id}/steps/format`, {
    format: options.format ?? 'ubl-be-3',
  });
  await signIn(relais, fake, id, tenant);
  await call(relais, tenant, 'POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'delivery-tests@example.test',
  });
  const read = await call(relais, tenant, 'GET', `/v1/connections/${id}`);
  if (read.connection.status !== 'active')
    throw new Error(`Dropbox connection ${id} is ${read.connection.status}`);
  return id;
}

/** Re-authorizes a connection the way its owner would: the reauthorize call, then a new sign-in. */
export async function reauthorizeDropbox(
  relais: TestRelais,
  fake: DropboxFake,
  connectionId: string,
  tenant?: TestTenant,
): Promise<void> {
  const started = await call(relais, tenant, 'POST', `/v1/connections/${connectionId}/reauthorize`);
  if (started.connection.setup?.currentStep !== 'oauth') {
    throw new Error(
      `Re-authorization did not start at the sign-in: ${JSON.stringify(started.connection.setup)}`,
    );
  }
  await signIn(relais, fake, connectionId, tenant);
}
