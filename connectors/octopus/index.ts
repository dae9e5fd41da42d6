import { z } from 'zod';
import { defineConnector } from '../types';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Octopus receives the documents by e-mail, so the endpoint is our own outgoing mail relay
    // (smtp:// or smtps://, credentials in the URL); by default the relay of the host.
    OCTOPUS_SMTP_URL: z.url().default('smtp://localhost:25'),
    // The sender of the mails; required once the client is built (no sensible default exists).
    OCTOPUS_MAIL_FROM: z.email().optional(),
  }),
  // Setup not implemented yet: the registry refuses the behaviour of unavailable connectors.
  create: () => ({ descriptor }),
});
