import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { makeTestCertificate } from './test-certificate';
import { waitFor } from './wait-for';

/** One request as the receiver got it: the raw body and headers a Standard Webhooks receiver verifies. */
export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The receiver's clock when the request arrived (epoch ms). */
  at: number;
  /** What the receiver answered. */
  status: number;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A tenant's webhook receiver: https on 127.0.0.1 with a throw-away certificate (Relais never posts over
 * http; `caFile` is what RELAIS_NETWORK_CA_FILE names so Relais trusts it). Each path answers 200 unless
 * scripted otherwise: `script(path, answers)` queues answers, `always(path, answer)` sets the default.
 */
export interface WebhookReceiver {
  url: string;
  caFile: string;
  received: ReceivedWebhook[];
  on(path: string): ReceivedWebhook[];
  script(path: string, answers: ScriptedAnswer[]): void;
  always(path: string, answer: ScriptedAnswer): void;
  /** Waits until `path` has received `count` requests (or more); returns them. */
  waitForCount(path: string, count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** Verifies a received request with the `standardwebhooks` package, as a receiver would; returns the body. */
export function verifyWebhook(
  secret: string,
  request: ReceivedWebhook,
): {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { sequence: number; connectionId: string };
} {
  return new Webhook(secret).verify(request.body, request.headers) as ReturnType<typeof verifyWebhook>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const certificate = makeTestCertificate();
  const received: ReceivedWebhook[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  const defaults = new Map<string, ScriptedAnswer>();
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const answer = scripts.get(path)?.shift() ?? defaults.get(path) ?? { status: 200 };
      received.push({
        path,
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
        ),
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        status: answer.status,
      });
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const on = (path: string) => received.filter((request) => request.path === path);
  return {
    url: `https://127.0.0.1:${port}`,
    caFile: certificate.caFile,
    received,
    on,
    script: (path, answers) => scripts.set(path, [...answers]),
    always: (path, answer) => defaults.set(path, answer),
    waitForCount: (path, count, timeoutMs = 30_000) =>
      waitFor(`${count} webhook request(s) on ${path}`, () => on(path).length >= count && on(path), {
        timeoutMs,
        describe: () => on(path).map((request) => request.body),
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        certificate.remove();
      }),
  };
}
