import { z } from 'zod';

/**
 * Wings publishes no contract for Wings Online's web service; the only public trace is a SOAP "Web
 * Service Module" over the Wings accounting import. Everything below is the contract assumed in
 * README.md: the endpoint, the namespace and each operation name are settings of this Relais, so a
 * deployment holding the vendor's real contract adjusts them without code changes.
 */
export const wingsConfigSchema = z
  .object({
    // `.invalid` never resolves: no public endpoint is known, so nothing is sent until one is configured.
    WINGS_API_URL: z.url().default('https://api.wings-online.invalid/ws'),
    WINGS_SOAP_NAMESPACE: z.string().min(1).default('urn:wings:online:import:v1'),
    WINGS_OPERATION_CHECK_LOGIN: z.string().min(1).default('CheckLogin'),
    WINGS_OPERATION_FIND_DOCUMENT: z.string().min(1).default('FindDocument'),
    WINGS_OPERATION_IMPORT_DOCUMENT: z.string().min(1).default('ImportDocument'),
  })
  .transform((env) => ({
    endpoint: env.WINGS_API_URL,
    namespace: env.WINGS_SOAP_NAMESPACE,
    operations: {
      checkLogin: env.WINGS_OPERATION_CHECK_LOGIN,
      findDocument: env.WINGS_OPERATION_FIND_DOCUMENT,
      importDocument: env.WINGS_OPERATION_IMPORT_DOCUMENT,
    },
  }));

export type WingsConfig = z.output<typeof wingsConfigSchema>;
