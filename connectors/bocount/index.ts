import { z } from 'zod';
import { defineConnector } from '../types';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  // BoCount publishes no API, and there is no central endpoint to configure: every accountant runs
  // the web service at its own base URL, which the user enters in the setup form.
  configSchema: z.object({}),
  // Setup not implemented yet: the registry refuses the behaviour of unavailable connectors.
  create: () => ({ descriptor }),
});
