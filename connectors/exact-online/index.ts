import type { Administration } from '../types';
import { defineConnector } from '../types';
import { fetchMe, listDivisions } from './client';
import { accessTokenOf, exactConfigSchema, readSettings, siteUrl } from './config';
import { deliverToExact } from './deliver';
import { descriptor } from './descriptor';
import { createExactOAuth } from './oauth';

export default defineConnector({
  descriptor,
  configSchema: exactConfigSchema,
  create: (config) => ({
    descriptor,
    oauth: createExactOAuth(config),

    async listAdministrations({ credentials, settings }): Promise<Administration[]> {
      const session = {
        baseUrl: siteUrl(config, readSettings(settings)),
        accessToken: accessTokenOf(credentials),
      };
      const me = await fetchMe(session);
      const divisions = await listDivisions(session, me.CurrentDivision);
      return divisions.map((division) => ({
        id: String(division.Code),
        name: division.Description,
        ...(division.Hid ? { code: String(division.Hid) } : {}),
        ...(division.VATNumber ? { vatNumber: division.VATNumber } : {}),
      }));
    },

    deliver: (input) => deliverToExact(config, input),
  }),
});
