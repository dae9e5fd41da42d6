import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import type { RequestHandler } from 'express';

/**
 * A server span per request, the parent of whatever the request does (the workflow starts it makes
 * carry it to the workers). Mounted after the request logger: the span carries the request's id
 * (X-Request-Id, in the log line too). Named by the route pattern, never the path: ids would make a
 * name per request, and the OAuth callback's query holds the code and state. A caller's `traceparent`
 * is honoured, so a platform that traces its calls finds Relais's part in its own trace.
 */
export function traceRequests(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'relais.request_id': String(req.id) },
      },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      if (req.tenant) span.setAttribute('relais.tenant_id', req.tenant.id);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    const active = trace.setSpan(parent, span);
    // Listeners on the request and response (body parsers reading the stream) run in the span too.
    context.bind(active, req);
    context.bind(active, res);
    context.with(active, next);
  };
}
