import { z } from 'zod';
import { defineConnector } from '../types';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  // Count-e publishes no API, and there is no central endpoint to configure: each account has its
  // own API instance, whose URL the user enters in the setup form.
  configSchema: z.object({}),
  // Setup not implemented yet: the registry refuses the behaviour of unavailable connectors.
  create: () => ({ descriptor }),
});
