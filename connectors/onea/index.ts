import { z } from 'zod';
import { defineConnector } from '../types';
import { confirmOneaTransfer, deliverToOnea } from './deliver';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Onea's transfer API: POST {url}/einvoice/{incoming|outgoing}, GET {url}/einvoice/status/{uuid}.
    ONEA_API_URL: z.url().default('https://transfer.onea.be/restv1'),
  }),
  create: (env) => {
    const config = { apiUrl: env.ONEA_API_URL.replace(/\/+$/, '') };
    return {
      descriptor,
      // Onea offers no call that checks a key without filing a document: the key is kept as entered
      // (trimmed) and proven by the first delivery, where a refusal marks the connection for a new key.
      checkCredentials: ({ values }) =>
        Promise.resolve({ secrets: { apiKey: String(values.apiKey).trim() }, settings: {} }),
      deliver: (input) => deliverToOnea(config, input),
      confirmDelivery: (input) => confirmOneaTransfer(config, input),
    };
  },
});
