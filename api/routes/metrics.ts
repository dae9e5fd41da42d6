import { Router } from 'express';
import type { Registry } from 'prom-client';
import { HttpError } from '../errors';
import { bearerToken, sameSecret } from '../operator-token';

/**
 * `GET /metrics` for Prometheus, with the operator token as `Authorization: Bearer <token>`
 * (Prometheus: `authorization: {credentials: ...}`): the figures span all tenants.
 */
export function metricsRoutes(deps: { registry: Registry; operatorToken: string | undefined }): Router {
  const router = Router();
  router.get('/metrics', async (req, res, next) => {
    const { operatorToken } = deps;
    if (!operatorToken) {
      return next(
        new HttpError(
          503,
          'metrics-disabled',
          'The metrics endpoint is off: set RELAIS_OPERATOR_TOKEN to turn it on.',
        ),
      );
    }
    const given = bearerToken(req);
    if (!given || !sameSecret(given, operatorToken)) {
      return next(
        new HttpError(
          401,
          'unauthenticated',
          'Send the operator token as "Authorization: Bearer <token>".',
          [],
          {
            'WWW-Authenticate': 'Bearer',
          },
        ),
      );
    }
    try {
      res.type(deps.registry.contentType).send(await deps.registry.metrics());
    } catch (error) {
      next(error);
    }
  });
  return router;
}
