/*
 * An available connector implements what it declares: the registry refuses, at load, one whose
 * descriptor promises a step (or delivery) its implementation lacks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertImplementsDescriptor, createConnectorRegistry } from '../../connectors/registry';
import sftp from '../../connectors/sftp';
import type { ConnectorImplementation } from '../../connectors/types';

const stepBehaviour = {
  credentials: 'checkCredentials',
  oauth: 'oauth',
  administration: 'listAdministrations',
} as const;

test('every available connector implements each step it declares, and deliver', () => {
  const registry = createConnectorRegistry({});
  const available = registry.list().filter((descriptor) => descriptor.available);
  assert.ok(available.length >= 3, 'sftp, dropbox and exact-online at least');
  for (const descriptor of available) {
    const implementation = registry.implementation(descriptor.id);
    assert.equal(typeof implementation.deliver, 'function', `${descriptor.id}.deliver`);
    for (const step of descriptor.steps) {
      const behaviour = stepBehaviour[step as keyof typeof stepBehaviour];
      if (behaviour) assert.ok(implementation[behaviour], `${descriptor.id}.${behaviour} for ${step}`);
    }
  }
});

test('an available connector missing a declared behaviour is refused, naming it', () => {
  const complete = sftp.create(sftp.configSchema.parse({}));
  assert.doesNotThrow(() => assertImplementsDescriptor(complete));
  const noCheck: ConnectorImplementation = { ...complete, checkCredentials: undefined };
  assert.throws(
    () => assertImplementsDescriptor(noCheck),
    /^Error: Connector sftp is marked available but does not implement checkCredentials \(for its credentials step\)$/,
  );
  const noDeliver: ConnectorImplementation = { ...complete, deliver: undefined };
  assert.throws(() => assertImplementsDescriptor(noDeliver), /Connector sftp .* does not implement deliver$/);
  const oauthDeclared: ConnectorImplementation = {
    ...complete,
    descriptor: { ...complete.descriptor, steps: [...complete.descriptor.steps, 'oauth', 'administration'] },
  };
  assert.throws(
    () => assertImplementsDescriptor(oauthDeclared),
    /does not implement oauth \(for its oauth step\), listAdministrations \(for its administration step\)/,
  );
  // Unavailable connectors are listed without behaviour: nothing to check.
  assertImplementsDescriptor({ descriptor: { ...complete.descriptor, available: false } });
});
