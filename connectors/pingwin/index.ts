import { parseStepValues } from '../shared/step-values';
import { defineConnector } from '../types';
import { createPingwinClient } from './client';
import { pingwinConfigSchema } from './config';
import { deliverToPingwin } from './deliver';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: pingwinConfigSchema,
  create: (config) => ({
    descriptor,
    async checkCredentials({ values }) {
      const parsed = parseStepValues(descriptor, 'credentials', values);
      const access = {
        apiKey: String(parsed.apiKey),
        clid: String(parsed.clid),
        fileId: String(parsed.fileId),
      };
      const file = await createPingwinClient(config, access).readFile();
      return {
        secrets: { apiKey: access.apiKey },
        settings: { clid: access.clid, fileId: access.fileId },
        account: { id: `${access.clid}/${file.id}`, name: file.name },
      };
    },
    deliver: (input) => deliverToPingwin(config, input),
  }),
});
