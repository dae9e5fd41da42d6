import { z } from 'zod';
import { defineConnector } from '../types';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Wings publishes no API for Wings Online; the only public description is a SOAP "Web Service
    // Module" over the Wings accounting import. The address is a placeholder (.invalid never
    // resolves) until the vendor gives one; set WINGS_API_URL when the client is built.
    WINGS_API_URL: z.url().default('https://api.wings-online.invalid/ws'),
  }),
  // Setup not implemented yet: the registry refuses the behaviour of unavailable connectors.
  create: () => ({ descriptor }),
});
