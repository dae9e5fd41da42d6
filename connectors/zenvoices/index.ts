import { z } from 'zod';
import { defineConnector } from '../types';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Sign-in is POST {url}/api/TokenAuth/TokenLogin; the public API lives under {url}/public-api/v1/.
    ZENVOICES_API_URL: z.url().default('https://app.zenvoices.com'),
    // The inbox upload path is not in Zenvoices' public documentation: assumed, hence configurable.
    ZENVOICES_INBOX_UPLOAD_PATH: z.string().startsWith('/').default('/public-api/v1/inbox/upload'),
  }),
  // Setup not implemented yet: the registry refuses the behaviour of unavailable connectors.
  create: () => ({ descriptor }),
});
