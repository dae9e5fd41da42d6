import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import type {
  ConnectorDescriptor,
  ConnectorImplementation,
  ConnectorModule,
  DocumentType,
  SetupStep,
} from './types';

/** What an implementation must offer for each step it declares (the other steps need no behaviour). */
const stepBehaviour: Partial<Record<SetupStep, keyof ConnectorImplementation>> = {
  credentials: 'checkCredentials',
  oauth: 'oauth',
  administration: 'listAdministrations',
};

/**
 * An available connector implements what its descriptor declares: each step's behaviour, and deliver.
 * Checked when the registry loads, so a gap stops start-up naming the connector instead of failing a
 * customer's setup or delivery later. Unavailable connectors offer no behaviour and are not checked.
 */
export function assertImplementsDescriptor(implementation: ConnectorImplementation): void {
  const { descriptor } = implementation;
  if (!descriptor.available) return;
  const missing = descriptor.steps
    .filter((step) => stepBehaviour[step] && !implementation[stepBehaviour[step]])
    .map((step) => `${String(stepBehaviour[step])} (for its ${step} step)`);
  if (typeof implementation.deliver !== 'function') missing.push('deliver');
  if (missing.length > 0) {
    throw new Error(
      `Connector ${descriptor.id} is marked available but does not implement ${missing.join(', ')}`,
    );
  }
}

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
    const implementation = module.create(parsed.data);
    assertImplementsDescriptor(implementation);
    implementations.set(module.descriptor.id, implementation);
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
