import { z } from 'zod';
import { defineConnector } from '../types';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Lyanthe publishes no API: the address is a placeholder (.invalid never resolves) until the
    // vendor gives one; set LYANTHE_API_URL when the client is built.
    LYANTHE_API_URL: z.url().default('https://api.lyanthe.invalid'),
  }),
  // Setup not implemented yet: the registry refuses the behaviour of unavailable connectors.
  create: () => ({ descriptor }),
});
