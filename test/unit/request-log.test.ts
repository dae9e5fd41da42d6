/*
 * Quiet request logs: at the default level (info) a poll or a health check writes nothing, a change
 * writes one line without headers or query values; the activity-only workers' "no workflows" is debug.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import express from 'express';
import { requestLogger } from '../../api/request-log';
import { createLogger } from '../../platform/logger';
import { temporalLogMethod } from '../../platform/temporal-runtime';

const lines: Array<Record<string, unknown>> = [];
const capture = { write: (line: string) => void lines.push(JSON.parse(line)) };
let server: ReturnType<express.Express['listen']>;
let url: string;

before(async () => {
  const app = express();
  app.use(requestLogger(createLogger({ level: 'info', destination: capture })));
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  app.get('/v1/deliveries/:id', (_req, res) => void res.json({ status: 'delivered' }));
  app.post('/v1/documents', (_req, res) => void res.status(201).json({}));
  app.get('/fails', (_req, res) => void res.status(500).json({}));
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server?.close());

async function logged(method: string, path: string) {
  lines.length = 0;
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: 'Bearer not-to-be-logged', 'user-agent': 'poller' },
  });
  await response.arrayBuffer();
  await new Promise((resolve) => setImmediate(resolve));
  return [...lines];
}

test('at info, a GET poll and a health check write no request line', async () => {
  assert.deepEqual(await logged('GET', '/v1/deliveries/d-1?wait=30'), []);
  assert.deepEqual(await logged('GET', '/healthz'), []);
});

test('at info, a POST writes one line, with no headers and no query values', async () => {
  const [line, ...more] = await logged('POST', '/v1/documents?token=abc');
  assert.equal(more.length, 0);
  assert.equal(line?.level, 30);
  assert.deepEqual(line?.req, {
    id: (line?.req as { id: string }).id,
    method: 'POST',
    url: '/v1/documents?token=[redacted]',
  });
  assert.deepEqual(line?.res, { statusCode: 201 });
  assert.ok(!JSON.stringify(line).includes('poller'), 'no request header');
});

test('a failing GET is still logged, at error', async () => {
  const [line] = await logged('GET', '/fails');
  assert.equal(line?.level, 50);
});

test('the activity-only workers’ "No workflows registered" is debug; other SDK warnings stay warn', () => {
  assert.equal(temporalLogMethod('WARN', 'No workflows registered, not polling for workflow tasks'), 'debug');
  assert.equal(temporalLogMethod('WARN', 'Failed to poll'), 'warn');
  assert.equal(temporalLogMethod('TRACE', 'x'), 'trace');
});
