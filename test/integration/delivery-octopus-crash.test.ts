/*
 * E-mail deliveries and a worker SIGKILLed mid-send: the SMTP server holds each mail before its 250,
 * the worker (a process of its own) dies while the mails are held, so the server never acknowledged
 * them and drops them. A new worker takes the attempts over (missing heartbeats) and each document
 * arrives exactly once, with its deterministic Message-ID. (The other window, a kill after the 250
 * and before the receipt is stored, sends a second mail with the same Message-ID: see
 * connectors/shared/email/README.md.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { acceptDocument, ublBeInvoice } from '../helpers/delivery-api';
import { setUpOctopus } from '../helpers/octopus-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const MAILBOX = 'k0042@docin.octopus.be';
const DOCUMENTS = 3;
/** Long enough for the test to see all mails held and kill the worker inside the hold. */
const HOLD_MS = 8_000;

let smtp: TestSmtpServer;
let relais: TestRelais;
let worker: WorkerProcess | undefined;

before(async () => {
  smtp = await startTestSmtpServer({ from: 'invoices@relais.example' });
  relais = await startTestRelais(smtp.env, { inProcessWorker: false });
  worker = await startWorkerProcess(relais, smtp.env);
  await setUpOctopus(relais, MAILBOX, { activate: true });
});
after(async () => {
  await worker?.kill();
  await relais?.close();
  await smtp?.stop();
});

async function deliveryStatuses(ids: string[]): Promise<Map<string, string>> {
  const { rows } = await relais.db.pool.query<{ id: string; status: string }>(
    'select id, status from deliveries where id = any($1)',
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.status]));
}

test('a worker SIGKILLed while its mails wait for the 250: each document arrives exactly once', async () => {
  await smtp.hold({ recipient: MAILBOX, holdMs: HOLD_MS, times: DOCUMENTS });
  const ids: string[] = [];
  for (let index = 1; index <= DOCUMENTS; index += 1) {
    const accepted = await acceptDocument(relais, ublBeInvoice(`KILL-${index}`));
    assert.equal(accepted.deliveries.length, 1);
    ids.push(accepted.deliveries[0].id);
  }
  await waitFor(`the server to hold ${DOCUMENTS} mails`, async () => smtp.held() >= DOCUMENTS, {
    timeoutMs: 60_000,
    intervalMs: 20,
  });
  const exit = await worker!.kill('SIGKILL');
  assert.equal(exit.signal, 'SIGKILL');
  assert.deepEqual(
    [...(await deliveryStatuses(ids)).values()].filter((status) => status === 'delivered'),
    [],
    'none was acknowledged before the kill',
  );

  // The holds end with the clients gone: the server keeps none of those mails.
  await sleep(HOLD_MS + 500);
  assert.equal((await smtp.received()).length, 0);

  await worker!.restart();
  await waitFor(
    `all ${DOCUMENTS} deliveries delivered after the restart`,
    async () =>
      [...(await deliveryStatuses(ids)).values()].every((status) => status === 'delivered') || undefined,
    { timeoutMs: 90_000, describe: async () => [...(await deliveryStatuses(ids)).values()] },
  );
  const mails = await smtp.received();
  assert.equal(mails.length, DOCUMENTS, mails.map((mail) => mail.parsed.subject).join(', '));
  assert.deepEqual(
    mails.map((mail) => mail.parsed.messageId).sort(),
    ids.map((id) => `<relais.${id}@relais.example>`).sort(),
    'one mail per delivery, each with its delivery Message-ID',
  );
});
