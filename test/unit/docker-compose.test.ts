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
    // The environment must satisfy our own configuration schema (placeholders stand in for secrets,
    // long enough for the ones with a minimum length).
    const resolved = Object.fromEntries(
      Object.entries(env).map(([key, value]) => [
        key,
        String(value).replace(/\$\{[^}]+\}/g, 'placeholder-standing-in-for-a-secret'),
      ]),
    );
    assert.doesNotThrow(() => loadConfig(resolved), `${name} environment`);
  }
  assert.ok(existsSync(path.join(projectRoot, 'Dockerfile')));
  assert.equal(
    (services['temporal-ui']!.environment as Record<string, string>).TEMPORAL_ADDRESS,
    'temporal:7233',
  );
});

test('the Temporal UI decodes through the API’s codec endpoint, which admits the UI’s origin', () => {
  const ui = services['temporal-ui']!.environment as Record<string, string>;
  const api = services['relais-api']!.environment as Record<string, string>;
  const endpoint = new URL(ui.TEMPORAL_CODEC_ENDPOINT!);
  assert.equal(endpoint.pathname, '/codec');
  assert.equal(endpoint.port, String(api.PORT), 'the endpoint is the API as the browser reaches it');
  assert.equal(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS, 'true', 'the operator’s sign-in cookie goes along');
  const uiOrigin = ui.TEMPORAL_CORS_ORIGINS!;
  assert.ok(api.RELAIS_CODEC_CORS_ORIGINS!.split(',').includes(uiOrigin), 'the API admits the UI origin');
  assert.match(api.RELAIS_OPERATOR_TOKEN!, /^\$\{RELAIS_OPERATOR_TOKEN:\?/, 'the operator token is required');
});
