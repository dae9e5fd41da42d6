import { defineConnector } from '../types';
import { bocountConfigSchema } from './config';
import { deliverToBocount } from './deliver';
import { descriptor } from './descriptor';
import { checkBocountCredentials } from './setup';

export default defineConnector({
  descriptor,
  // No central endpoint: every accountant runs the web service at its own base URL (a setup field).
  // The configuration holds the assumed paths and the SSRF guard's policy for those user-typed URLs.
  configSchema: bocountConfigSchema,
  create: (config) => ({
    descriptor,
    checkCredentials: ({ values }) => checkBocountCredentials(config, values),
    deliver: (input) => deliverToBocount(config, input),
  }),
});
