import { z } from 'zod';
import { mailTransportConfig } from '../shared/email';
import { defineConnector } from '../types';
import { checkOctopusMailbox } from './check-mailbox';
import { deliverToOctopus } from './deliver';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  // Octopus receives the documents by e-mail: the endpoint is the operator's own mail relay.
  configSchema: z.object({ ...mailTransportConfig }),
  create: (config) => ({
    descriptor,
    checkCredentials: async ({ values }) => checkOctopusMailbox(values, config),
    deliver: (input) => deliverToOctopus(input, config),
  }),
});
