/*
 * A client span for each HTTP request a connector makes inside a trace. Every HTTP call to a target goes
 * through undici (Node's fetch is undici; the SSRF-guarded fetch uses the undici package), and both
 * announce their requests on the same diagnostics channels: one subscriber here covers every connector,
 * those to come included. The span says the method, the host, the port and the status: never the path
 * or the query (a pre-authorized upload URL or an OAuth redirect carries its secret there), never a header.
 */
import diagnostics from 'node:diagnostics_channel';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

interface UndiciRequest {
  origin: string;
  method: string;
}
interface RequestCreated {
  request: UndiciRequest;
}
interface ResponseHeaders {
  request: UndiciRequest;
  response: { statusCode: number };
}
interface RequestFailed {
  request: UndiciRequest;
  error: Error;
}

/** Subscribes to undici's request channels; returns the unsubscribe. */
export function traceHttpClientRequests(): () => void {
  const tracer = trace.getTracer('relais-http-client');
  const open = new WeakMap<UndiciRequest, Span>();

  // Published in the caller's async context: the active span is the connector's (or the activity's).
  const created = (message: unknown) => {
    const { request } = message as RequestCreated;
    if (!trace.getSpan(context.active())) return;
    let origin: URL;
    try {
      origin = new URL(request.origin);
    } catch {
      return;
    }
    const port = origin.port ? Number(origin.port) : origin.protocol === 'https:' ? 443 : 80;
    const span = tracer.startSpan(request.method, {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': request.method,
        'server.address': origin.hostname,
        'server.port': port,
        'url.scheme': origin.protocol.replace(/:$/, ''),
      },
    });
    open.set(request, span);
  };
  // The span ends with the answer's headers: the request, its upload and the target's work are in it.
  const answered = (message: unknown) => {
    const { request, response } = message as ResponseHeaders;
    const span = open.get(request);
    if (!span) return;
    open.delete(request);
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  const failed = (message: unknown) => {
    const { request, error } = message as RequestFailed;
    const span = open.get(request);
    if (!span) return;
    open.delete(request);
    // The error's name or code only: its message may quote the URL.
    const code = (error as NodeJS.ErrnoException).code;
    span.setAttribute('error.type', typeof code === 'string' ? code : error.name);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };

  const channels = [
    ['undici:request:create', created],
    ['undici:request:headers', answered],
    ['undici:request:error', failed],
  ] as const;
  for (const [name, listener] of channels) diagnostics.subscribe(name, listener);
  return () => {
    for (const [name, listener] of channels) diagnostics.unsubscribe(name, listener);
  };
}
