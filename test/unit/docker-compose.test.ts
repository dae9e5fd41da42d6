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

test('Temporal runs on the server image after the admin tools set up its schema, with matching versions', () => {
  const images = Object.values(services).map((service) => String(service.image ?? ''));
  assert.ok(!images.some((image) => image.startsWith('temporalio/auto-setup')), 'auto-setup is deprecated');
  const server = services.temporal!;
  const schema = services['temporal-schema']!;
  assert.deepEqual(server.depends_on, { 'temporal-schema': { condition: 'service_completed_successfully' } });
  const version = (image: unknown) => String(image).split(':')[1];
  assert.match(String(schema.image), /^temporalio\/admin-tools:/);
  assert.equal(version(schema.image), version(server.image), 'schema tool and server of one release');
  const relaisNeeds = services['relais-api']!.depends_on as Record<string, { condition: string }>;
  assert.equal(relaisNeeds['temporal-namespace']?.condition, 'service_completed_successfully');
});

test('every file a service mounts from the project exists', () => {
  for (const [name, service] of Object.entries(services)) {
    for (const volume of (service.volumes as string[] | undefined) ?? []) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('./'))
        assert.ok(existsSync(path.join(projectRoot, source)), `${name}: ${source}`);
    }
  }
});

test('Prometheus scrapes the API with the operator token, every worker replica and the Temporal server', () => {
  const prometheus = parse(readFileSync(path.join(projectRoot, 'deploy', 'prometheus.yml'), 'utf8'));
  interface ScrapeJob {
    job_name: string;
    static_configs: Array<{ targets: string[] }>;
    dns_sd_configs: unknown[];
    authorization: { credentials_file: string };
  }
  const jobs = Object.fromEntries(
    (prometheus.scrape_configs as ScrapeJob[]).map((job) => [job.job_name, job]),
  ) as Record<string, ScrapeJob>;
  const env = (name: string) => services[name]!.environment as Record<string, string | number>;
  assert.deepEqual(jobs['relais-api']!.static_configs[0]!.targets, [`relais-api:${env('relais-api').PORT}`]);
  assert.equal(jobs['relais-api']!.authorization.credentials_file, '/run/secrets/operator-token');
  assert.deepEqual(services.prometheus!.secrets, ['operator-token']);
  assert.deepEqual(compose.secrets['operator-token'], { environment: 'RELAIS_OPERATOR_TOKEN' });
  const workerPort = String(env('relais-worker').RELAIS_TEMPORAL_METRICS_ADDRESS).split(':')[1];
  assert.deepEqual(jobs['relais-worker']!.dns_sd_configs[0], {
    names: ['relais-worker'],
    type: 'A',
    port: Number(workerPort),
  });
  const temporalPort = String(env('temporal').PROMETHEUS_ENDPOINT).split(':')[1];
  assert.deepEqual(jobs.temporal!.static_configs[0]!.targets, [`temporal:${temporalPort}`]);
});
