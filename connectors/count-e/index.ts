import { defineConnector } from '../types';
import { countEConfigSchema } from './config';
import { deliverToCountE } from './deliver';
import { descriptor } from './descriptor';
import { checkCountECredentials } from './setup';

export default defineConnector({
  descriptor,
  // No central endpoint: each account has its own API instance, whose URL the user enters. The
  // configuration holds the assumed paths and the SSRF guard's policy for those user-typed URLs.
  configSchema: countEConfigSchema,
  create: (config) => ({
    descriptor,
    checkCredentials: ({ values }) => checkCountECredentials(config, values),
    deliver: (input) => deliverToCountE(config, input),
  }),
});
