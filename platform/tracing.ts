/*
 * OpenTelemetry traces, off unless an OTLP endpoint is configured. One trace follows a document from
 * the API's request span through the workflow start (Temporal's client interceptor puts the context in
 * the start headers), the workflow (its interceptor runs inside the sandbox and hands its spans out
 * through a sink) and the activity, down to the connector's call to the target. Spans carry ids, names,
 * statuses and hosts only: never a URL's query, a header, a credential or a document's content.
 */
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource, envDetectorSync } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { Config } from './config';
import { traceHttpClientRequests } from './http-client-spans';
import { relaisVersion } from './version';

/**
 * The workflow interceptors, run inside the workflow sandbox: they must be in the workflow bundle
 * (`bundleWorkflowCode`'s `workflowInterceptorModules`, or the worker's `interceptors.workflowModules`
 * when it bundles itself). Without tracing the bundle is built without them, as before.
 */
export const tracingWorkflowModules = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

export interface Tracing {
  /** The tracer of Relais's own spans (the API's request spans). */
  tracer: Tracer;
  /** For every Temporal Client: starts, signals and updates carry the caller's trace context. */
  clientInterceptors: ClientInterceptors;
  /**
   * What a worker adds to its options: the activity interceptors, the sink that exports the workflow
   * sandbox's spans and, for a worker that bundles its workflows itself, the workflow interceptors.
   */
  workerOptions(bundling: boolean): {
    interceptors: WorkerInterceptors;
    sinks: InjectedSinks<OpenTelemetrySinks>;
  };
  /** Exports what is still buffered and unregisters everything. */
  shutdown(): Promise<void>;
}

/** Tracing is on when an OTLP endpoint is configured and OTEL_SDK_DISABLED does not say otherwise. */
export function tracingEnabled(config: Config): boolean {
  return (
    !config.OTEL_SDK_DISABLED &&
    Boolean(config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_ENDPOINT)
  );
}

/** Where spans are sent: the traces endpoint as given, else `/v1/traces` under the general one. */
export function otlpTracesUrl(config: Config): string | undefined {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts tracing for this process when the configuration turns it on (else undefined, and nothing is
 * registered). Call it first thing in a process's main. `spanProcessors` replaces the OTLP exporter
 * (tests pass an in-memory one); headers for the collector come from OTEL_EXPORTER_OTLP_HEADERS, the
 * sampler from OTEL_TRACES_SAMPLER, extra resource attributes from OTEL_RESOURCE_ATTRIBUTES.
 */
export function startTracing(
  config: Config,
  options: { serviceName: string; spanProcessors?: SpanProcessor[] },
): Tracing | undefined {
  if (!tracingEnabled(config)) return undefined;
  const processors = options.spanProcessors ?? [
    new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(config)! })),
  ];
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over the defaults.
  const resource = Resource.default().merge(
    new Resource({ 'service.name': options.serviceName, 'service.version': relaisVersion }).merge(
      envDetectorSync.detect(),
    ),
  );
  const sdk = new NodeSDK({
    resource,
    // No host, process or command-line detection: the resource says which service, nothing more.
    autoDetectResources: false,
    spanProcessors: processors,
    // Traces only: no log or metric pipeline (Relais logs with pino and serves Prometheus metrics).
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const stopHttpSpans = traceHttpClientRequests();
  const tracer = trace.getTracer('relais', relaisVersion);
  const interceptorOptions = { tracer };
  const workflowSpans = workflowSpanSink(fanOut(processors), resource);

  return {
    tracer,
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor(interceptorOptions)] },
    workerOptions: (bundling) => ({
      interceptors: {
        ...(bundling ? { workflowModules: tracingWorkflowModules } : {}),
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx, interceptorOptions),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: workflowSpans,
    }),
    async shutdown() {
      stopHttpSpans();
      await sdk.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * The sink the workflow sandbox's spans leave through. The SDK's exporter copies the whole workflow
 * info into each span's attributes (memo, search attributes, last result); only these fields go.
 */
function workflowSpanSink(processor: SpanProcessor, resource: Resource): InjectedSinks<OpenTelemetrySinks> {
  const exporter = makeWorkflowExporter(processor, resource);
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          const { workflowId, runId, workflowType, taskQueue, namespace, attempt } = info;
          const kept = { workflowId, runId, workflowType, taskQueue, namespace, attempt };
          exporter.export.fn(kept as WorkflowInfo, spans);
        },
      },
    },
  };
}

/** One span processor in front of several (the workflow sink takes one). */
function fanOut(processors: SpanProcessor[]): SpanProcessor {
  return {
    onStart: (span, parent) => processors.forEach((p) => p.onStart(span, parent)),
    onEnd: (span: ReadableSpan) => processors.forEach((p) => p.onEnd(span)),
    forceFlush: async () => void (await Promise.all(processors.map((p) => p.forceFlush()))),
    shutdown: async () => void (await Promise.all(processors.map((p) => p.shutdown()))),
  };
}
