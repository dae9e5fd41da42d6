import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const DOCUMENTS = 20;
/** Each upload lands at once but its answer takes this long: a kill in between loses the answer. */
const UPLOAD_ANSWER_DELAY_MS = 1_500;
/** Posting is spread over longer than that delay, so the kill finds some delivered, some in flight, some not begun. */
const POST_SPACING_MS = 150;
/**
 * The attempt timeout (DELIVERY_ATTEMPT_TIMEOUT_SECONDS, 120 s in production) is long here on purpose:
 * a killed worker's attempt must be handed on by the missing heartbeats (DELIVERY_HEARTBEAT_TIMEOUT_SECONDS,
 * 20 s), long before this timeout would expire. The test's wait for the restart is far below it.
 */
const ATTEMPT_TIMEOUT_SECONDS = 600;
/** How long the deliveries may take after the restart: well below the attempt timeout. */
const RESUME_BOUND_MS = 90_000;

let dropbox: DropboxFake;
let relais: TestRelais;
let worker: WorkerProcess | undefined;

before(async () => {
  dropbox = await startDropbox();
  const env = dropboxEnv(dropbox);
  relais = await startTestRelais(
    { ...env, DELIVERY_ATTEMPT_TIMEOUT_SECONDS: String(ATTEMPT_TIMEOUT_SECONDS) },
    { inProcessWorker: false },
  );
  worker = await startWorkerProcess(relais, env);
});
after(async () => {
  await worker?.kill();
  await relais?.close();
  await dropbox?.close();
});

interface Sent {
  documentId: string;
  deliveryId: string;
}

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  receipt: {
    remoteId?: string;
    remotePath?: string;
    alreadyPresent?: boolean;
    details?: Record<string, unknown>;
  } | null;
}

async function deliveryRows(): Promise<Map<string, DeliveryRow>> {
  const { rows } = await relais.db.pool.query<DeliveryRow>(
    'select id, status, attempts, receipt from deliveries',
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** The Dropbox files of a document: its file name ends with the first 8 characters of its id. */
const filesOf = (paths: Iterable<string>, sent: Sent) =>
  [...paths].filter((path) => path.endsWith(`_${sent.documentId.slice(0, 8)}.xml`));

test('a worker SIGKILLed mid-delivery: a new worker completes every delivery, each file exactly once', async () => {
  await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  dropbox.delayUploadAnswers(UPLOAD_ANSWER_DELAY_MS);

  const sent: Sent[] = [];
  const posting = (async () => {
    for (let index = 1; index <= DOCUMENTS; index += 1) {
      const answer = await acceptDocument(relais, ublBeInvoice(`CRASH-${String(index).padStart(3, '0')}`));
      assert.equal(answer.deliveries.length, 1);
      sent.push({ documentId: answer.documentId, deliveryId: answer.deliveries[0].id });
      await sleep(POST_SPACING_MS);
    }
  })();

  // The moment to kill: some deliveries are done, and some uploads have landed whose answer is still on its way.
  const inFlight = (rows: Map<string, DeliveryRow>, paths: Set<string>) =>
    sent.filter((s) => rows.get(s.deliveryId)?.status !== 'delivered' && filesOf(paths, s).length);
  await waitFor(
    'a delivered document and an upload in flight',
    async () => {
      const rows = await deliveryRows();
      const delivered = [...rows.values()].filter((row) => row.status === 'delivered').length;
      return delivered >= 1 && inFlight(rows, new Set(dropbox.files.keys())).length >= 1;
    },
    { timeoutMs: 60_000, intervalMs: 20 },
  );
  const killedAt = Date.now();
  const exit = await worker!.kill('SIGKILL');
  assert.equal(exit.signal, 'SIGKILL');

  // Nothing updates a delivery while no worker runs: this is the state the crash left.
  const filesAtKill = new Set(dropbox.files.keys());
  const rowsAtKill = await deliveryRows();
  const deliveredAtKill = sent.filter((s) => rowsAtKill.get(s.deliveryId)?.status === 'delivered');
  const inFlightAtKill = inFlight(rowsAtKill, filesAtKill);
  await posting;
  const notBegunAtKill = sent.filter((s) => !filesOf(filesAtKill, s).length);
  console.log(
    `at the kill: ${deliveredAtKill.length} delivered, ${inFlightAtKill.length} uploaded without answer, ` +
      `${notBegunAtKill.length} not uploaded (of ${DOCUMENTS})`,
  );
  assert.ok(inFlightAtKill.length >= 1, 'the kill landed while uploads were in flight');

  assert.ok(
    RESUME_BOUND_MS < ATTEMPT_TIMEOUT_SECONDS * 1000,
    'only heartbeats can hand the attempts on in time',
  );
  await worker!.restart();
  const restartedAt = Date.now();
  const rows = await waitFor(
    `all ${DOCUMENTS} deliveries delivered after the restart`,
    async () => {
      const current = await deliveryRows();
      return sent.every((s) => current.get(s.deliveryId)?.status === 'delivered') && current;
    },
    {
      timeoutMs: RESUME_BOUND_MS,
      describe: async () => [...(await deliveryRows()).values()].map((row) => row.status),
    },
  );
  console.log(
    `new worker polling ${((restartedAt - killedAt) / 1000).toFixed(1)} s after the kill; ` +
      `all delivered ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after that`,
  );

  assert.equal(
    dropbox.files.size,
    DOCUMENTS,
    `one file per document: ${[...dropbox.files.keys()].join(', ')}`,
  );
  for (const s of sent) {
    const files = filesOf(dropbox.files.keys(), s);
    assert.equal(files.length, 1, `document ${s.documentId} has exactly one file: ${files.join(', ')}`);
    const file = dropbox.files.get(files[0]!)!;
    const { receipt } = rows.get(s.deliveryId)!;
    assert.ok(receipt, `delivery ${s.deliveryId} recorded its receipt`);
    assert.equal(receipt.remotePath, file.path);
    assert.equal(receipt.remoteId, file.id);
    assert.equal(receipt.details?.contentHash, file.content_hash);
  }
  // The deliveries whose upload landed before the kill finished after it: their retry found the file.
  for (const s of inFlightAtKill) {
    const row = rows.get(s.deliveryId)!;
    assert.equal(row.receipt?.alreadyPresent, true, `delivery ${s.deliveryId} recognised its earlier upload`);
    assert.ok(row.attempts >= 2, `delivery ${s.deliveryId} took a second attempt (${row.attempts})`);
  }
  const uploads = dropbox.log.filter((entry) => entry.path === '/2/files/upload');
  console.log(
    `${uploads.length} upload requests for ${DOCUMENTS} files; ` +
      `${uploads.filter((entry) => entry.status === 409).length} answered with a conflict (already there)`,
  );
});
