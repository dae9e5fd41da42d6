import { createServer, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** Serves `app` on a free loopback port for one test file. */
export async function listen(
  app: Express,
  port = 0,
  options: ServerOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(options, app).listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// Tests read response bodies loosely and assert on them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

/** One call to the Relais API with a tenant's key: JSON in, parsed JSON out. */
export async function callApi(
  baseUrl: string,
  apiKey: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: JsonBody; headers: Headers }> {
  const send = () =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    // A reused keep-alive socket the server closed meanwhile (its event loop was busy past the idle
    // timeout) fails once with ECONNRESET: a read can safely be sent again on a new socket.
    const reset = (error as { cause?: { code?: string } }).cause?.code === 'ECONNRESET';
    if (method !== 'GET' || !reset) throw error;
    response = await send();
  }
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
