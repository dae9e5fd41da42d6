import { z } from 'zod';
import { defineConnector } from '../types';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Microsoft identity platform v2; "organizations" admits work and school accounts only, which is
    // what OneDrive for Business is. The client appends /authorize and /token.
    ONEDRIVE_AUTHORITY_URL: z.url().default('https://login.microsoftonline.com/organizations/oauth2/v2.0'),
    ONEDRIVE_GRAPH_URL: z.url().default('https://graph.microsoft.com/v1.0'),
    // Our app registration in Microsoft Entra ID; required once the client is built.
    ONEDRIVE_CLIENT_ID: z.string().min(1).optional(),
    ONEDRIVE_CLIENT_SECRET: z.string().min(1).optional(),
  }),
  // Setup not implemented yet: the registry refuses the behaviour of unavailable connectors.
  create: () => ({ descriptor }),
});
