import { z } from 'zod';
import { userUrlNetworkConfig, userUrlPolicy } from '../shared/user-url-network';

/**
 * Count-e publishes no API: the paths and names below are the ASSUMED contract (README), configurable
 * so that a deployment holding Count-e's real one can adjust them without code changes. `{database}`
 * is the connection's database. The API URL itself is each connection's (a setup field).
 */
export const countEConfigSchema = z
  .object({
    COUNTE_LOGIN_PATH: z.string().min(1).default('/api/v1/login'),
    COUNTE_DOCUMENTS_PATH: z.string().min(1).default('/api/v1/databases/{database}/documents'),
    COUNTE_EXTERNAL_ID_PARAM: z.string().min(1).default('externalId'),
    COUNTE_EXTERNAL_ID_HEADER: z.string().min(1).default('X-External-Id'),
    COUNTE_CUSTOMER_NUMBER_HEADER: z.string().min(1).default('X-Customer-Number'),
    ...userUrlNetworkConfig,
  })
  .transform((env) => ({
    loginPath: env.COUNTE_LOGIN_PATH,
    documentsPath: env.COUNTE_DOCUMENTS_PATH,
    externalIdParam: env.COUNTE_EXTERNAL_ID_PARAM,
    externalIdHeader: env.COUNTE_EXTERNAL_ID_HEADER,
    customerNumberHeader: env.COUNTE_CUSTOMER_NUMBER_HEADER,
    policy: userUrlPolicy(env),
  }));

export type CountEConfig = z.output<typeof countEConfigSchema>;
