import { defineConnector } from '../types';
import { listYukiAdministrations } from './administrations';
import { apiKeyOf, readSettings, yukiConfigSchema } from './config';
import { deliverToYuki } from './deliver';
import { descriptor } from './descriptor';
import { checkYukiKey } from './check-key';
import { createSessionCache } from './session';

export default defineConnector({
  descriptor,
  configSchema: yukiConfigSchema,
  create: (config) => {
    const sessions = createSessionCache();
    return {
      descriptor,
      checkCredentials: ({ values }) => checkYukiKey(config, sessions, values),
      listAdministrations: ({ credentials, settings }) => {
        const { country } = readSettings(settings);
        return listYukiAdministrations({
          endpoint: { baseUrl: config.baseUrls[country], timeoutMs: config.timeoutMs },
          apiKey: apiKeyOf(credentials),
          phase: 'setup',
          sessions,
        });
      },
      deliver: (input) => deliverToYuki(config, sessions, input),
    };
  },
});
