import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { ConnectorError } from '../errors';

/**
 * Runs `work` in a span of its own (a no-op without tracing: the API's tracer then records nothing).
 * A failure marks the span with its kind (`relais.error_kind`) only: a message may quote the target.
 * Attributes are ids, names and hosts: never a credential, a path or a document's content.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return trace.getTracer('relais-connectors').startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setAttribute('relais.error_kind', error instanceof ConnectorError ? error.kind : 'internal');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
