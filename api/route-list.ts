import type { Express } from 'express';

/** What Express keeps of a mounted router or a route; not in its public types. */
interface Layer {
  name: string;
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/**
 * Every route the app serves, as "METHOD /path/{param}" (OpenAPI's spelling), read from the
 * Express routers themselves: the OpenAPI document is checked against this list, so a route added
 * to a router without its documentation (and its cross-tenant case) fails a test.
 */
export function routeList(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all'))
          routes.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.name === 'router' && layer.handle.stack) {
        walk(layer.handle.stack, prefix + (layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...new Set(routes)].sort();
}
