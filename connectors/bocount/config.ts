import { z } from 'zod';
import { userUrlNetworkConfig, userUrlPolicy } from '../shared/user-url-network';

/**
 * BoCount publishes no API: the paths below are the ASSUMED contract (README), configurable so that a
 * deployment holding BoCount's real one can adjust them without code changes. `{companyNumber}` is the
 * client's VAT number as kept (BE0123456749). The base URL itself is each connection's (a setup field).
 */
export const bocountConfigSchema = z
  .object({
    BOCOUNT_COMPANY_PATH: z.string().min(1).default('/api/v1/companies/{companyNumber}'),
    BOCOUNT_DOCUMENTS_PATH: z.string().min(1).default('/api/v1/companies/{companyNumber}/documents'),
    BOCOUNT_EXTERNAL_ID_PARAM: z.string().min(1).default('externalId'),
    BOCOUNT_EXTERNAL_ID_HEADER: z.string().min(1).default('X-External-Id'),
    ...userUrlNetworkConfig,
  })
  .transform((env) => ({
    companyPath: env.BOCOUNT_COMPANY_PATH,
    documentsPath: env.BOCOUNT_DOCUMENTS_PATH,
    externalIdParam: env.BOCOUNT_EXTERNAL_ID_PARAM,
    externalIdHeader: env.BOCOUNT_EXTERNAL_ID_HEADER,
    policy: userUrlPolicy(env),
  }));

export type BocountConfig = z.output<typeof bocountConfigSchema>;
