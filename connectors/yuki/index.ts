import { z } from 'zod';
import { defineConnector } from '../types';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: z.object({
    // Yuki's SOAP web services live at {url}/{Service}.asmx (Belgian domains; Dutch ones use .nl).
    YUKI_API_URL: z.url().default('https://api.yukiworks.be/ws'),
  }),
  // Setup not implemented yet: the registry refuses the behaviour of unavailable connectors.
  create: () => ({ descriptor }),
});
