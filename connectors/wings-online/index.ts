import { parseStepValues } from '../shared/step-values';
import { defineConnector } from '../types';
import { createWingsClient } from './client';
import { wingsConfigSchema } from './config';
import { deliverToWings } from './deliver';
import { descriptor } from './descriptor';

export default defineConnector({
  descriptor,
  configSchema: wingsConfigSchema,
  create: (config) => ({
    descriptor,
    async checkCredentials({ values }) {
      const parsed = parseStepValues(descriptor, 'credentials', values);
      const access = {
        username: String(parsed.username),
        password: String(parsed.password),
        internalNumber: Number(parsed.internalNumber),
      };
      const { companyName } = await createWingsClient(config, access).checkLogin();
      return {
        secrets: { password: access.password },
        settings: {
          username: access.username,
          internalNumber: access.internalNumber,
          receivablesJournal: parsed.receivablesJournal,
          payablesJournal: parsed.payablesJournal,
        },
        account: { id: `${access.username}/${access.internalNumber}`, name: companyName },
      };
    },
    deliver: (input) => deliverToWings(config, input),
  }),
});
