import { Router } from 'express';
import { z } from 'zod';
import type { ConnectorRegistry } from '../../connectors/registry';
import { documentTypes, type DocumentType } from '../../connectors/types';
import { HttpError, parseOrThrow } from '../errors';
import { presentConnector, requestLocale } from '../present-connector';

const querySchema = z.object({
  documentType: z.enum(documentTypes as [DocumentType, ...DocumentType[]]).optional(),
  lang: z.enum(['fr', 'nl', 'en']).optional(),
});

/** Request schemas of these routes, for the OpenAPI document. */
export const integrationSchemas = { query: querySchema };

/** The catalogue: every declared target, in the caller's language, filtered by document type. */
export function integrationRoutes(deps: { connectors: ConnectorRegistry; outboundIps: string[] }): Router {
  const router = Router();
  router.get('/integrations', (req, res) => {
    const query = parseOrThrow(querySchema, req.query, 'query');
    const locale = requestLocale(query.lang, req.header('accept-language'));
    const list = deps.connectors.list(query.documentType ? { documentType: query.documentType } : {});
    res.json({
      locale,
      integrations: list.map((descriptor) => presentConnector(descriptor, locale, deps.outboundIps)),
    });
  });
  router.get('/integrations/:connectorId', (req, res) => {
    const descriptor = deps.connectors.descriptor(req.params.connectorId);
    const locale = requestLocale(req.query.lang, req.header('accept-language'));
    if (!descriptor) throw new HttpError(404, 'not-found', 'No such integration.');
    res.json({ locale, integration: presentConnector(descriptor, locale, deps.outboundIps) });
  });
  return router;
}
