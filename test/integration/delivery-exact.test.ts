import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadAuthorization } from '../../db/authorizations';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import type { ExactFake, LogEntry } from '../fakes/exact-online';
import { acceptDocument, readDelivery, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectExact, exactEnv, startExact } from '../helpers/exact-connection';
import type { JsonBody } from '../helpers/http';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const DIVISION = 1001;
const range = (count: number) => Array.from({ length: count }, (_, index) => index + 1);
const apiCalls = (log: LogEntry[]) => log.filter((entry) => entry.path.startsWith('/api/v1/'));

/** Posts one numbered invoice per number at once; returns their delivery ids. */
async function postInvoices(relais: TestRelais, numbers: string[], tenant?: TestTenant): Promise<string[]> {
  const answers = await Promise.all(
    numbers.map((number) => acceptDocument(relais, ublBeInvoice(number), tenant ? { tenant } : {})),
  );
  return answers.map((answer) => {
    assert.equal(answer.deliveries.length, 1, 'one Exact connection takes the document');
    return answer.deliveries[0].id as string;
  });
}

async function waitAllDelivered(relais: TestRelais, ids: string[], timeoutMs: number): Promise<JsonBody[]> {
  let last: JsonBody[] = [];
  return waitFor(
    `all ${ids.length} deliveries delivered`,
    async () => {
      last = await Promise.all(ids.map((id) => readDelivery(relais, id)));
      return last.every((delivery) => delivery.status === 'delivered') && last;
    },
    {
      timeoutMs,
      intervalMs: 500,
      describe: () => last.map((d) => `${d.status}${d.lastError ? `: ${d.lastError}` : ''}`),
    },
  );
}

/** Each delivery filed exactly one document, with exactly one attachment, in the division. */
function assertFiledOnce(exact: ExactFake, deliveries: JsonBody[]) {
  const documents = exact.documents(DIVISION);
  assert.equal(documents.length, deliveries.length, 'one Exact document per delivery');
  for (const delivery of deliveries) {
    const filed = documents.filter((document) => document.Subject.includes(delivery.id));
    assert.equal(filed.length, 1, `delivery ${delivery.id} filed exactly one document`);
    assert.equal(filed[0]!.attachments.length, 1, `delivery ${delivery.id} attached its file once`);
    assert.equal(delivery.receipt.remoteId, filed[0]!.ID, 'the receipt names the Exact document');
  }
}

describe('with a raised Exact limit', () => {
  let exact: ExactFake;
  let relais: TestRelais;

  before(async () => {
    // Fast runs: Exact's per-minute quota raised at the fake and in Relais (the override allows
    // 200 deliveries a second, so the 50 deliveries below really run at the same time).
    exact = await startExact({ limits: { minutely: 10_000 } });
    relais = await startTestRelais({ ...exactEnv(exact), RELAIS_RATE_LIMITS: 'exact-online=60000' });
  });
  after(async () => {
    await relais?.close();
    await exact?.close();
  });

  test('50 concurrent deliveries with an expired token: one refresh reaches Exact, each invoice filed once', async () => {
    await connectExact(relais, exact, {
      documentType: 'purchase-invoice',
      administrationIds: [String(DIVISION)],
    });
    const tokenCallsBefore = exact.tokenCalls;
    const logBefore = exact.log.length;
    exact.knobs.expireAccessTokens();
    // A slow token endpoint keeps the first refresh open while the other deliveries call the API, so
    // they meet the expired token whatever order the worker runs them in.
    exact.knobs.delayTokenAnswers(1_500);

    const started = Date.now();
    const ids = await postInvoices(
      relais,
      range(50).map((n) => `EXPIRED-${n}`),
    );
    const deliveries = await waitAllDelivered(relais, ids, 60_000);
    exact.knobs.delayTokenAnswers(0);
    const refused = exact.log.slice(logBefore).filter((entry) => entry.status === 401).length;
    console.log(
      `50 deliveries in ${((Date.now() - started) / 1000).toFixed(1)} s; ${refused} calls met the expired token`,
    );

    assert.equal(exact.tokenCalls - tokenCallsBefore, 1, 'exactly one refresh call reached Exact');
    assert.ok(refused >= 2, `several deliveries met the expired token at once (${refused})`);
    assertFiledOnce(exact, deliveries);
  });

  test('a refresh token spent elsewhere: the connection needs re-authorization, the delivery waits', async () => {
    // A tenant of its own: its sign-in replaces the previous grant (Exact keeps one per app and user).
    const tenant = await relais.createTenant('Spent refresh token');
    const connectionId = await connectExact(relais, exact, {
      documentType: 'purchase-invoice',
      administrationIds: [String(DIVISION)],
      tenant,
    });
    // Someone with a copy of the stored tokens (a restored backup, a second installation) refreshes
    // with them: Exact answers with a new pair, which ends ours.
    const {
      rows: [connection],
    } = await relais.db.pool.query('select authorization_id from connections where id = $1', [connectionId]);
    const stored = await loadAuthorization(
      relais.db.pool,
      relais.vault,
      tenant.id,
      connection.authorization_id,
    );
    assert.ok(stored?.credentials.kind === 'tokens' && stored.credentials.tokens.refreshToken);
    // Exact refuses a refresh within 570 s of the last token; an expired access token lifts that.
    exact.knobs.expireAccessTokens();
    const elsewhere = await fetch(`${exact.url}/api/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: stored.credentials.tokens.refreshToken,
        client_id: exactEnv(exact).EXACT_CLIENT_ID!,
        client_secret: exactEnv(exact).EXACT_CLIENT_SECRET!,
      }),
    });
    assert.equal(elsewhere.status, 200, 'the refresh token was still valid before');
    const documentsBefore = exact.documents(DIVISION).length;
    const tokenLogBefore = exact.log.length;

    const [deliveryId] = await postInvoices(relais, ['SPENT-1'], tenant);
    const waiting = await waitForStatus(relais, deliveryId!, 'waiting-for-connection', { tenant });
    assert.equal(waiting.lastErrorKind, 'auth-expired');
    assert.match(waiting.lastError, /Sign in to Exact Online again/);

    const read = await relais.api('GET', `/v1/connections/${connectionId}`, undefined, { tenant });
    assert.equal(read.body.connection.status, 'needs-reauth');
    assert.match(read.body.connection.statusMessage, /refresh token was already used/);
    const refreshes = exact.log.slice(tokenLogBefore).filter((entry) => entry.path === '/api/oauth2/token');
    assert.deepEqual(
      refreshes.map((entry) => entry.status),
      [401],
      'one refresh with the spent token, refused (401 Old refresh token used); no retry loop against Exact',
    );
    assert.equal(exact.documents(DIVISION).length, documentsBefore, 'nothing was filed');
  });
});

/**
 * Proving that Relais paces its calls needs more calls than one minute's quota (sent all at once, they
 * must make the test fail), and paced within the quota those take over a minute whatever the scale: a
 * lower limit needs fewer calls but lets them through as much more slowly. The heaviest delivery keeps
 * the test shortest: with "all current and future administrations" (the choice the help recommends) a
 * delivery makes the five calls of the declared budget, so 13 deliveries make 65 calls.
 */
describe('with Exact’s declared limit of 60 calls a minute', () => {
  const DELIVERIES = 13;
  const CALLS_PER_DELIVERY = 5;
  let exact: ExactFake;
  let relais: TestRelais;
  let secondWorker: WorkerProcess | undefined;

  before(async () => {
    exact = await startExact();
    relais = await startTestRelais(exactEnv(exact));
    // A second worker in a process of its own polls the same queues: the limit must hold for both together.
    secondWorker = await startWorkerProcess(relais, exactEnv(exact));
  });
  after(async () => {
    await secondWorker?.kill();
    await relais?.close();
    await exact?.close();
  });

  test(`${DELIVERIES} deliveries through two workers: never more than 60 calls in a minute, no 429`, async () => {
    await connectExact(relais, exact, { documentType: 'purchase-invoice', administrationIds: 'all' });
    const logBefore = exact.log.length;
    const started = Date.now();
    const ids = await postInvoices(
      relais,
      range(DELIVERIES).map((n) => `PACED-${n}`),
    );
    const deliveries = await waitAllDelivered(relais, ids, 240_000);
    const calls = apiCalls(exact.log.slice(logBefore));
    const busiestMinute = Math.max(
      ...calls.map(
        (call) => calls.filter((other) => other.time >= call.time && other.time < call.time + 60_000).length,
      ),
    );
    const workers = await activityWorkers(relais, deliveries);
    console.log(
      `${DELIVERIES} deliveries in ${((Date.now() - started) / 1000).toFixed(1)} s: ${calls.length} calls, ` +
        `at most ${busiestMinute} in any 60 s, by ${workers.size} workers`,
    );

    assert.equal(
      calls.length,
      DELIVERIES * CALLS_PER_DELIVERY,
      'each delivery made the five calls, no retry',
    );
    assert.ok(
      calls.length > 60,
      'more calls than one minute holds: sent unpaced, they would break the limit',
    );
    assert.deepEqual(
      calls.filter((call) => call.status === 429),
      [],
      'Exact never had to refuse a call',
    );
    assert.ok(busiestMinute <= 60, `at most 60 calls in any 60 seconds (${busiestMinute})`);
    // Both workers poll the queue; which one takes each task is the server's choice (one may take all):
    // the limit holds for the queue, whoever polls it.
    assertFiledOnce(exact, deliveries);
  });
});

/** The identities of the workers that ran the deliveries' deliver attempts, from the workflow histories. */
async function activityWorkers(relais: TestRelais, deliveries: JsonBody[]): Promise<Set<string>> {
  const identities = new Set<string>();
  for (const delivery of deliveries) {
    const history = await relais.temporal.client.workflow
      .getHandle(deliveryWorkflowId(delivery.documentId, delivery.connectionId))
      .fetchHistory();
    for (const event of history.events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity);
    }
  }
  return identities;
}
