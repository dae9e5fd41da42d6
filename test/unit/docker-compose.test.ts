import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { loadConfig, projectRoot } from '../../platform/config';

// No Docker engine runs here: the compose file is checked structurally instead of being run.
const compose = parse(readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true });
const services: Record<string, Record<string, unknown>> = compose.services;

test('every service has an image or a build, and depends only on services that exist', () => {
  for (const [name, service] of Object.entries(services)) {
    assert.ok(service.image || service.build, `${name} has neither image nor build`);
    const dependsOn = service.depends_on ?? [];
    const names = Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
    for (const dependency of names)
      assert.ok(services[dependency], `${name} depends on unknown ${dependency}`);
  }
});

test('the Relais services point at the compose Temporal and PostgreSQL, and their entry files exist', () => {
  for (const name of ['relais-api', 'relais-worker']) {
    const service = services[name]!;
    const env = service.environment as Record<string, string>;
    const [temporalHost] = env.TEMPORAL_ADDRESS!.split(':');
    assert.ok(services[temporalHost!], `${name}: TEMPORAL_ADDRESS names ${temporalHost}, not a service`);
    assert.ok(
      services[new URL(env.DATABASE_URL!.replace(/\$\{[^}]+\}/, 'x')).hostname],
      `${name}: DATABASE_URL host`,
    );
    const entry = (service.command as string[]).at(-1)!;
    assert.ok(existsSync(path.join(projectRoot, entry)), `${name}: ${entry} does not exist`);
    // The environment must satisfy our own configuration schema (placeholders stand in for secrets).
    const resolved = Object.fromEntries(
      Object.entries(env).map(([key, value]) => [key, String(value).replace(/\$\{[^}]+\}/g, 'placeholder')]),
    );
    assert.doesNotThrow(() => loadConfig(resolved), `${name} environment`);
  }
  assert.ok(existsSync(path.join(projectRoot, 'Dockerfile')));
  assert.equal(
    (services['temporal-ui']!.environment as Record<string, string>).TEMPORAL_ADDRESS,
    'temporal:7233',
  );
});
