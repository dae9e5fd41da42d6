import { z } from 'zod';
import { mailTransportConfig } from '../shared/email';
import { defineConnector } from '../types';
import type { ZenvoicesApi } from './client';
import { deliverToZenvoices } from './deliver';
import { descriptor } from './descriptor';
import { checkZenvoicesCredentials, listZenvoicesAdministrations } from './setup';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Sign-in is POST {url}{login path}; the public API lives under {url}/public-api/v1/.
    ZENVOICES_API_URL: z.url().default('https://app.zenvoices.com'),
    ZENVOICES_LOGIN_PATH: z.string().startsWith('/').default('/api/TokenAuth/TokenLogin'),
    // The administration list's path and shape are not in a public copy of the API: assumed, so configurable.
    ZENVOICES_ADMINISTRATIONS_PATH: z.string().startsWith('/').default('/public-api/v1/administrations'),
    ZENVOICES_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
    // The documents go by e-mail, through the operator's relay.
    ...mailTransportConfig,
  }),
  create: (config) => {
    const api: ZenvoicesApi = {
      baseUrl: config.ZENVOICES_API_URL,
      loginPath: config.ZENVOICES_LOGIN_PATH,
      administrationsPath: config.ZENVOICES_ADMINISTRATIONS_PATH,
      timeoutMs: config.ZENVOICES_TIMEOUT_MS,
    };
    return {
      descriptor,
      checkCredentials: ({ values }) => checkZenvoicesCredentials(api, values, config.RELAIS_MAIL_FROM),
      listAdministrations: (input) => listZenvoicesAdministrations(api, input),
      deliver: (input) => deliverToZenvoices(config, input),
    };
  },
});
