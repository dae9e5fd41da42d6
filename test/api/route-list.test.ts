import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openApiDocument } from '../../api/openapi';
import { routeList } from '../../api/route-list';
import { startTestRelais, type TestRelais } from '../helpers/relais';

let relais: TestRelais;
before(async () => {
  relais = await startTestRelais();
});
after(async () => relais?.close());

/** The OpenAPI document's operations, its per-step paths folded back into the router's {step}. */
function documentedRoutes(): string[] {
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  const routes = Object.entries(paths).flatMap(([path, methods]) =>
    Object.keys(methods).map(
      (method) => `${method.toUpperCase()} ${path.replace(/\/steps\/[a-z]+$/, '/steps/{step}')}`,
    ),
  );
  return [...new Set(routes)].sort();
}

/** Browser legs and the document itself: no API key, so not in the tenant API's document. */
const notTenantApi = new Set([
  'GET /v1/oauth/callback',
  'GET /v1/oauth/start/{stateId}',
  'GET /v1/openapi.json',
]);

test('the OpenAPI document lists exactly the /v1 routes the routers serve', () => {
  const served = routeList(relais.app).filter(
    (route) => route.split(' ')[1]!.startsWith('/v1/') && !notTenantApi.has(route),
  );
  assert.ok(served.includes('GET /v1/integrations/{connectorId}'), 'the route list reads mounted routers');
  assert.deepEqual(documentedRoutes(), served);
});
