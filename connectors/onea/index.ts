import { z } from 'zod';
import { defineConnector } from '../types';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Onea's transfer API: POST {url}/einvoice/{incoming|outgoing}, GET {url}/einvoice/status/{uuid}.
    ONEA_API_URL: z.url().default('https://transfer.onea.be/restv1'),
  }),
  // Setup not implemented yet: the registry refuses the behaviour of unavailable connectors.
  create: () => ({ descriptor }),
});
