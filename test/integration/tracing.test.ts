import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { loadAuthorization } from '../../db/authorizations';
import { loadConfig } from '../../platform/config';
import { startTracing, tracingWorkflowModules } from '../../platform/tracing';
import { buildWorkflowBundle } from '../../worker/workflow-bundle';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import { ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { connectSftp } from '../helpers/sftp-connection';
import { startSshServer, type SshServer } from '../helpers/sshd';
import { waitFor } from '../helpers/wait-for';
import type { DropboxFake } from '../fakes/dropbox';

/**
 * Traces (issue 15.3): one trace from POST /v1/documents through the workflow start, the workflow and
 * the activity to the connector's call (SFTP and HTTP), carrying the request id, with no secret and no
 * document content in any span; and, without an OTLP endpoint, no tracing at all.
 */
let sshd: SshServer;
let dropbox: DropboxFake;
let tracedBundlePath: string;
const onlyTracingEndpoint = { NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };

before(async () => {
  sshd = await startSshServer();
  dropbox = await startDropbox();
  // The suite's bundle has no tracing interceptors (tracing off): a traced worker needs its own.
  tracedBundlePath = path.join(mkdtempSync(path.join(os.tmpdir(), 'relais-traced-')), 'bundle.js');
  writeFileSync(tracedBundlePath, await buildWorkflowBundle(tracingWorkflowModules));
});
after(async () => {
  await dropbox?.close();
  await sshd?.stop();
});

/** The trace context header the client interceptor adds to a workflow's start (absent without tracing). */
async function startHeaderNames(relais: TestRelais, workflowId: string): Promise<string[]> {
  const history = await relais.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
  return Object.keys(started.header?.fields ?? {});
}

async function postDocument(relais: TestRelais, number: string, requestId: string, traceparent?: string) {
  const response = await fetch(`${relais.url}/v1/documents?documentType=purchase-invoice`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${relais.tenant.apiKey}`,
      'content-type': 'application/xml',
      'x-request-id': requestId,
      ...(traceparent ? { traceparent } : {}),
    },
    body: ublBeInvoice(number),
  });
  assert.equal(response.status, 202);
  assert.equal(response.headers.get('x-request-id'), requestId);
  return (await response.json()) as {
    documentId: string;
    deliveries: Array<{ id: string; connectionId: string; connectorId: string }>;
  };
}

test('without an OTLP endpoint nothing is traced: no provider, no trace headers, no spans', async () => {
  const memory = new InMemorySpanExporter();
  const tracing = startTracing(loadConfig({ NODE_ENV: 'test' }), {
    serviceName: 'relais-test',
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  assert.equal(tracing, undefined, 'tracing stays off');
  // OTEL_SDK_DISABLED wins over an endpoint.
  assert.equal(
    startTracing(loadConfig({ ...onlyTracingEndpoint, OTEL_SDK_DISABLED: 'true' }), {
      serviceName: 'relais-test',
    }),
    undefined,
  );
  const relais = await startTestRelais({});
  try {
    const connectionId = await connectSftp(relais, sshd, {
      documentType: 'purchase-invoice',
      uploadPath: 'untraced',
    });
    const accepted = await postDocument(relais, 'UNTRACED-1', 'untraced-request-1');
    await waitForStatus(relais, accepted.deliveries[0]!.id, 'delivered');
    const workflowId = deliveryWorkflowId(accepted.documentId, connectionId);
    const outcome = await relais.temporal.client.workflow.getHandle(workflowId).result();
    assert.equal(outcome.status, 'delivered');
    assert.ok(!(await startHeaderNames(relais, workflowId)).includes('_tracer-data'));
    assert.deepEqual(memory.getFinishedSpans(), []);
  } finally {
    await relais.close();
  }
});

test('with tracing on, one trace runs from POST /v1/documents to the SFTP session and the HTTP upload', async () => {
  const memory = new InMemorySpanExporter();
  const tracing = startTracing(loadConfig(onlyTracingEndpoint), {
    serviceName: 'relais-test',
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  assert.ok(tracing, 'an OTLP endpoint turns tracing on');
  const relais = await startTestRelais(dropboxEnv(dropbox), {
    tracing,
    workflowBundlePath: tracedBundlePath,
  });
  try {
    // Both setups run traced too: the SFTP password and the OAuth code and state pass through the API.
    const sftpId = await connectSftp(relais, sshd, {
      documentType: 'purchase-invoice',
      uploadPath: 'traced',
    });
    const callbacks: URL[] = [];
    const consent = dropbox.consent.bind(dropbox);
    dropbox.consent = async (...args) => {
      const location = await consent(...args);
      callbacks.push(new URL(location));
      return location;
    };
    const dropboxId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
    dropbox.consent = consent;

    const requestId = 'trace-test-request-1';
    // The platform's own trace, which Relais's part joins.
    const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const accepted = await postDocument(
      relais,
      'TRACED-1',
      requestId,
      `00-${callerTraceId}-00f067aa0ba902b7-01`,
    );
    const byConnector = Object.fromEntries(accepted.deliveries.map((d) => [d.connectorId, d]));
    assert.deepEqual(Object.keys(byConnector).sort(), ['dropbox', 'sftp']);
    const workflowIds = accepted.deliveries.map((d) =>
      deliveryWorkflowId(accepted.documentId, d.connectionId),
    );
    for (const delivery of accepted.deliveries) await waitForStatus(relais, delivery.id, 'delivered');
    for (const id of workflowIds) await relais.temporal.client.workflow.getHandle(id).result();
    // Workflow spans leave the sandbox through a sink, after the workflow task that ended them.
    const spans = await waitFor('both workflows’ RunWorkflow spans', async () => {
      const finished = memory.getFinishedSpans();
      const runs = finished.filter(
        (s) =>
          s.name === 'RunWorkflow:documentDeliveryWorkflow' &&
          workflowIds.includes(String(s.attributes.workflowId)),
      );
      return runs.length === 2 ? finished : undefined;
    });

    const request = spans.find((s) => s.attributes['relais.request_id'] === requestId);
    assert.ok(request, 'the request span carries the request id');
    assert.equal(request.name, 'POST /v1/documents');
    assert.equal(request.kind, SpanKind.SERVER);
    assert.equal(request.attributes['http.response.status_code'], 202);
    assert.equal(request.attributes['relais.tenant_id'], relais.tenant.id);
    const traceId = request.spanContext().traceId;
    assert.equal(traceId, callerTraceId, 'the caller’s traceparent is honoured');
    assert.equal(request.parentSpanId, '00f067aa0ba902b7');
    const trace = spans.filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    /** The names from a span up to the trace's root: the chain each step of the way hangs from. */
    const ancestry = (span: ReadableSpan): string[] => {
      const names: string[] = [];
      for (
        let at: ReadableSpan | undefined = span;
        at;
        at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined
      )
        names.push(at.name);
      return names;
    };
    const expectedChain = [
      'RunActivity:deliverDocument',
      'StartActivity:deliverDocument',
      'RunWorkflow:documentDeliveryWorkflow',
      'StartWorkflow:documentDeliveryWorkflow',
      'POST /v1/documents',
    ];

    const sftpDeliver = trace.find((s) => s.name === 'deliver sftp');
    assert.ok(
      sftpDeliver,
      `the SFTP delivery is in the request's trace: ${trace.map((s) => s.name).join(', ')}`,
    );
    assert.equal(sftpDeliver.attributes['relais.connector'], 'sftp');
    assert.equal(sftpDeliver.attributes['relais.delivery_id'], byConnector.sftp!.id);
    assert.equal(sftpDeliver.attributes['relais.connection_id'], sftpId);
    const session = trace.find(
      (s) => s.name === 'sftp session' && s.parentSpanId === sftpDeliver.spanContext().spanId,
    );
    assert.ok(session, 'the SFTP session is a child of the delivery');
    assert.equal(session.attributes['server.address'], sshd.host);
    assert.equal(session.attributes['server.port'], sshd.port);
    assert.deepEqual(ancestry(session), ['sftp session', 'deliver sftp', ...expectedChain]);

    const dropboxDeliver = trace.find((s) => s.name === 'deliver dropbox');
    assert.ok(dropboxDeliver, 'the Dropbox delivery is in the same trace');
    assert.equal(dropboxDeliver.attributes['relais.delivery_id'], byConnector.dropbox!.id);
    assert.equal(dropboxDeliver.attributes['relais.connection_id'], dropboxId);
    const upload = trace.find(
      (s) => s.kind === SpanKind.CLIENT && s.parentSpanId === dropboxDeliver.spanContext().spanId,
    );
    assert.ok(upload, 'the HTTP call to Dropbox is a child of the delivery');
    assert.equal(upload.name, 'POST');
    assert.equal(upload.attributes['server.address'], new URL(dropbox.url).hostname);
    assert.equal(upload.attributes['http.response.status_code'], 200);
    assert.deepEqual(ancestry(upload), ['POST', 'deliver dropbox', ...expectedChain]);
    assert.ok((await startHeaderNames(relais, workflowIds[0]!)).includes('_tracer-data'));

    // No secret and no document content in any span (names, attributes, events, statuses, resource).
    const { rows } = await relais.db.pool.query('select authorization_id from connections where id = $1', [
      dropboxId,
    ]);
    const authorization = await loadAuthorization(
      relais.db.pool,
      relais.vault,
      relais.tenant.id,
      rows[0].authorization_id,
    );
    const tokens =
      authorization?.credentials.kind === 'tokens' ? authorization.credentials.tokens : undefined;
    assert.ok(tokens?.refreshToken, 'the Dropbox connection holds tokens');
    const [callback] = callbacks;
    const secrets = {
      'SFTP password': sshd.password,
      'API key': relais.tenant.apiKey,
      'access token': tokens.accessToken,
      'refresh token': tokens.refreshToken,
      'Dropbox app secret': dropboxEnv(dropbox).DROPBOX_CLIENT_SECRET!,
      'OAuth authorization code': callback!.searchParams.get('code')!,
      'OAuth state': callback!.searchParams.get('state')!,
      'invoice number': 'TRACED-1',
    };
    const text = JSON.stringify(
      spans.map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status,
        links: s.links,
        resource: s.resource.attributes,
      })),
    );
    // Positive controls: the scan reads the spans of both setups and the request.
    assert.ok(text.includes(requestId) && text.includes(byConnector.sftp!.id));
    assert.ok(text.includes('GET /v1/oauth/callback'), 'the OAuth callback is traced');
    for (const [what, secret] of Object.entries(secrets)) {
      assert.ok(secret && !text.includes(secret), `the ${what} appears in a span`);
    }

    // Turning tracing on (or off again) leaves running workflows replayable.
    const recorded = path.join(__dirname, '..', 'fixtures', 'histories');
    const { History } = temporal.api.history.v1;
    const old = readdirSync(recorded)
      .filter((file) => file.endsWith('.history.pb'))
      .map((file) => ({
        workflowId: file,
        history: History.decode(readFileSync(path.join(recorded, file))),
      }));
    const traced = await Promise.all(
      workflowIds.map(async (workflowId) => ({
        workflowId,
        history: await relais.temporal.client.workflow.getHandle(workflowId).fetchHistory(),
      })),
    );
    const replay = async (
      options: Parameters<typeof Worker.runReplayHistories>[0],
      histories: Array<{ workflowId: string; history: unknown }>,
    ) => {
      const failures: string[] = [];
      for await (const result of Worker.runReplayHistories(options, histories))
        if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
      return failures;
    };
    const dataConverter = relais.temporal.dataConverter;
    assert.deepEqual(
      await replay(
        { workflowBundle: { codePath: tracedBundlePath }, dataConverter, ...tracing.workerOptions(false) },
        old,
      ),
      [],
    );
    assert.deepEqual(
      await replay(
        { workflowBundle: { codePath: process.env.RELAIS_TEST_WORKFLOW_BUNDLE! }, dataConverter },
        traced,
      ),
      [],
    );
  } finally {
    await relais.close();
    await tracing.shutdown();
  }
});

test('configured by its endpoint alone, tracing exports spans over OTLP/HTTP, flushed at shutdown', async () => {
  const bodies: string[] = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  const { port } = collector.address() as { port: number };
  try {
    const tracing = startTracing(
      loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/` }),
      { serviceName: 'relais-otlp-test' },
    );
    assert.ok(tracing);
    tracing.tracer.startSpan('otlp-probe').end();
    await tracing.shutdown();
    const exported = bodies.join('\n');
    assert.ok(exported.includes('otlp-probe'), `the collector received the span: ${exported.slice(0, 500)}`);
    assert.ok(exported.includes('relais-otlp-test'), 'with the service name');
  } finally {
    collector.close();
  }
});
