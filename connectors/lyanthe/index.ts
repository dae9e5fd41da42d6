import { z } from 'zod';
import { mailTransportConfig } from '../shared/email';
import { defineConnector } from '../types';
import type { LyantheApi } from './client';
import { deliverToLyanthe } from './deliver';
import { descriptor } from './descriptor';
import { checkLyantheCredentials, listLyantheAdministrations } from './setup';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Lyanthe publishes no API: the address is a placeholder (.invalid never resolves) until the vendor
    // gives one, and the paths follow the contract assumed in README.md.
    LYANTHE_API_URL: z.url().default('https://api.lyanthe.invalid'),
    LYANTHE_LOGIN_PATH: z.string().startsWith('/').default('/api/v1/sessions'),
    LYANTHE_ADMINISTRATIONS_PATH: z.string().startsWith('/').default('/api/v1/administrations'),
    LYANTHE_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
    // The documents go by e-mail to the mailroom, through the operator's relay.
    ...mailTransportConfig,
  }),
  create: (config) => {
    const api: LyantheApi = {
      baseUrl: config.LYANTHE_API_URL,
      loginPath: config.LYANTHE_LOGIN_PATH,
      administrationsPath: config.LYANTHE_ADMINISTRATIONS_PATH,
      timeoutMs: config.LYANTHE_TIMEOUT_MS,
    };
    return {
      descriptor,
      checkCredentials: ({ values }) => checkLyantheCredentials(api, values),
      listAdministrations: (input) => listLyantheAdministrations(api, input),
      deliver: (input) => deliverToLyanthe(config, input),
    };
  },
});
