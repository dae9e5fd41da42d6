import { startExactFake, type ExactFake, type ExactFakeOptions } from '../fakes/exact-online';
import { signInThroughBrowser } from './browser';
import type { TestRelais, TestTenant } from './relais';

/** The Relais app as registered in the (fake) Exact App Center. */
const EXACT_APP = { clientId: 'relais-delivery-exact', clientSecret: 'exact-delivery-secret-3' };

export function startExact(
  options: Omit<ExactFakeOptions, 'clientId' | 'clientSecret'> = {},
): Promise<ExactFake> {
  return startExactFake({ ...EXACT_APP, ...options });
}

/** The environment that points Relais's Exact Online connector (its Belgian site) at the fake. */
export function exactEnv(fake: ExactFake): Record<string, string> {
  return {
    EXACT_CLIENT_ID: EXACT_APP.clientId,
    EXACT_CLIENT_SECRET: EXACT_APP.clientSecret,
    EXACT_SITE_URLS: JSON.stringify({ be: fake.url }),
  };
}

/**
 * An Exact Online connection set up through the API as the wizard does it: the sign-in on the
 * Belgian site through the fake's consent page (skipped when the tenant's authorization is reused),
 * the administrations, the terms. Returns its id once it is active.
 */
export async function connectExact(
  relais: TestRelais,
  fake: ExactFake,
  options: {
    documentType: 'purchase-invoice' | 'sales-invoice';
    administrationIds: string[] | 'all';
    tenant?: TestTenant;
  },
): Promise<string> {
  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await relais.api(method, path, body, options.tenant ? { tenant: options.tenant } : {});
    if (answer.status >= 300) {
      throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer.body.connection;
  };
  const created = await call('POST', '/v1/connections', {
    connectorId: 'exact-online',
    documentType: options.documentType,
  });
  const id: string = created.id;
  if (created.setup.currentStep === 'oauth') {
    const oauth = await call('POST', `/v1/connections/${id}/steps/oauth`, {
      values: { site: 'be' },
      returnUrl: `${relais.url}/done`,
    });
    const { returnedTo } = await signInThroughBrowser(oauth.setup.oauth.startUrl, (url) =>
      fake.consent(url, 'allow'),
    );
    if (returnedTo.searchParams.get('status') !== 'ok') {
      throw new Error(`The Exact Online sign-in did not complete: ${returnedTo.searchParams.get('message')}`);
    }
  }
  await call('POST', `/v1/connections/${id}/steps/administration`, {
    administrationIds: options.administrationIds,
    values: {},
  });
  await call('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'delivery-tests@example.test',
  });
  const active = await call('GET', `/v1/connections/${id}`);
  if (active.status !== 'active') throw new Error(`Exact Online connection ${id} is ${active.status}`);
  return id;
}
