import { z } from 'zod';

/**
 * PingWin publishes no web service contract: everything below is the contract assumed in README.md.
 * The address, each path (with `{fileId}` standing for the file) and the header names are settings of
 * this Relais, so a deployment holding the vendor's real contract adjusts them without code changes.
 */
export const pingwinConfigSchema = z
  .object({
    // `.invalid` never resolves: no public endpoint is known, so nothing is sent until one is configured.
    PINGWIN_API_URL: z.url().default('https://api.pingwin.invalid'),
    PINGWIN_FILE_PATH: z.string().startsWith('/').default('/v1/files/{fileId}'),
    PINGWIN_DOCUMENTS_PATH: z.string().startsWith('/').default('/v1/files/{fileId}/documents'),
    PINGWIN_API_KEY_HEADER: z.string().min(1).default('X-Api-Key'),
    PINGWIN_CLID_HEADER: z.string().min(1).default('X-PingWin-Clid'),
  })
  .transform((env) => ({
    apiUrl: env.PINGWIN_API_URL.replace(/\/+$/, ''),
    filePath: env.PINGWIN_FILE_PATH,
    documentsPath: env.PINGWIN_DOCUMENTS_PATH,
    apiKeyHeader: env.PINGWIN_API_KEY_HEADER,
    clidHeader: env.PINGWIN_CLID_HEADER,
  }));

export type PingwinConfig = z.output<typeof pingwinConfigSchema>;
