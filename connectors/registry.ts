import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorDescriptor, ConnectorImplementation, ConnectorModule, DocumentType } from './types';

/** Every folder under connectors/ with an index.ts is a connector: adding one is adding a folder. */
function loadModules(): ConnectorModule[] {
  return readdirSync(__dirname, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(__dirname, entry.name, 'index.ts')))
    .map((entry) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require(path.join(__dirname, entry.name)).default as ConnectorModule;
      if (module?.descriptor?.id !== entry.name) {
        throw new Error(
          `connectors/${entry.name}/index.ts must default-export a connector whose id is "${entry.name}"`,
        );
      }
      return module;
    })
    .sort((a, b) => a.descriptor.displayName.localeCompare(b.descriptor.displayName));
}

export interface ConnectorRegistry {
  list(filter?: { documentType?: DocumentType }): ConnectorDescriptor[];
  descriptor(id: string): ConnectorDescriptor | undefined;
  /** The behaviour of an available connector; throws for an unknown or unavailable one. */
  implementation(id: string): ConnectorImplementation;
}

/**
 * Builds every connector from the environment (each reads its own variables, with defaults that
 * point at the real service). A bad value throws naming the variable.
 */
export function createConnectorRegistry(env: NodeJS.ProcessEnv = process.env): ConnectorRegistry {
  const modules = loadModules();
  const implementations = new Map<string, ConnectorImplementation>();
  for (const module of modules) {
    const parsed = module.configSchema.safeParse(env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
      throw new Error(`Invalid configuration for connector ${module.descriptor.id}: ${problems.join('; ')}`);
    }
    implementations.set(module.descriptor.id, module.create(parsed.data));
  }
  const descriptors = modules.map((module) => module.descriptor);
  return {
    list: (filter = {}) =>
      descriptors.filter((d) => !filter.documentType || d.documentTypes.includes(filter.documentType)),
    descriptor: (id) => descriptors.find((d) => d.id === id),
    implementation(id) {
      const implementation = implementations.get(id);
      if (!implementation) throw new Error(`Unknown connector ${id}`);
      if (!implementation.descriptor.available) throw new Error(`Connector ${id} is not available yet`);
      return implementation;
    },
  };
}
