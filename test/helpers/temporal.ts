import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { createLogger } from '../../platform/logger';
import { captureStream } from './log-capture';
import { installTemporalRuntime } from '../../platform/temporal-runtime';
import type { ActivityQueue } from '../../platform/activity-queues';
import type { Tracing } from '../../platform/tracing';
import { createWorkers, runWorkers } from '../../worker/create-worker';

// Warnings include every failed activity with its message: what a secret scan must see.
installTemporalRuntime(createLogger({ level: 'warn', destination: captureStream }));

export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run the tests with `npm test`');
  return address;
}

export const testTaskQueue = () => `test-${randomBytes(6).toString('hex')}`;

export interface TestTemporal {
  /** A client with Relais's data converter: it encrypts what it sends and decrypts what it reads. */
  client: Client;
  /** What the client and the workers convert with (payload encryption): for replays and other workers. */
  dataConverter: DataConverter;
  taskQueue: string;
  /** A workflow's history with every payload decrypted (fetchHistory returns the stored ciphertext). */
  decodedHistory(workflowId: string, runId?: string): Promise<temporal.api.history.v1.IHistory>;
  /** Starts (or restarts) the worker in the background; `stopWorker` drains it. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  /** How many workflows the running main worker holds in its cache (0 when none runs). */
  cachedWorkflows(): number;
  /** Runs a worker while `work` runs, then drains it. */
  runUntil<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A client and workers (real activities over `deps`) on a task queue of their own, against the suite's server. */
export async function startTestTemporal(
  deps: ActivityDeps,
  options: {
    dataConverter: DataConverter;
    taskQueue?: string;
    activityQueues?: ActivityQueue[];
    tuning?: Partial<WorkerOptions>;
    /** Another server than the suite's. */
    address?: string;
    /** Tracing: the clients and workers get its interceptors (and need a bundle with its workflow ones). */
    tracing?: Tracing;
    /** Another prebuilt bundle than the suite's (e.g. one with the tracing interceptors). */
    workflowBundlePath?: string;
  },
): Promise<TestTemporal> {
  const taskQueue = options.taskQueue ?? testTaskQueue();
  const address = options.address ?? temporalAddress();
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const bundlePath = options.workflowBundlePath ?? process.env.RELAIS_TEST_WORKFLOW_BUNDLE;
  const { tracing } = options;
  const newWorkers = () =>
    createWorkers({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      dataConverter: options.dataConverter,
      activities: createActivities({ ...deps, temporal: deps.temporal ?? client }),
      activityQueues: options.activityQueues ?? [],
      ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
      ...(tracing ? { tracing } : {}),
      ...(options.tuning ? { tuning: options.tuning } : {}),
    });
  let running: { workers: Worker[]; run: Promise<void> } | undefined;
  const stopWorker = async () => {
    if (!running) return;
    const { workers, run } = running;
    running = undefined;
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await run;
  };
  const client = new Client({
    connection,
    namespace: 'default',
    dataConverter: options.dataConverter,
    ...(tracing ? { interceptors: tracing.clientInterceptors } : {}),
  });
  return {
    client,
    dataConverter: options.dataConverter,
    taskQueue,
    async decodedHistory(workflowId, runId) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      return decodeHistory(history, options.dataConverter);
    },
    async startWorker() {
      await stopWorker();
      const workers = await newWorkers();
      running = { workers, run: runWorkers(workers) };
    },
    stopWorker,
    cachedWorkflows: () => running?.workers[0]?.getStatus().numCachedWorkflows ?? 0,
    async runUntil(work) {
      const [main] = await newWorkers();
      return main!.runUntil(work);
    },
    async close() {
      await stopWorker();
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/**
 * Decrypts, in place, every payload of a history (inputs, results, failures' encoded attributes, ...):
 * what the Temporal UI shows through the codec endpoint. Payloads stay protobuf messages, so the
 * history can still be replayed or written as a fixture.
 */
export async function decodeHistory<T extends object>(history: T, dataConverter: DataConverter): Promise<T> {
  const codecs = [...(dataConverter.payloadCodecs ?? [])].reverse();
  const payloads: Payload[] = [];
  const seen = new Set<unknown>();
  const collect = (value: unknown): void => {
    if (!value || typeof value !== 'object' || seen.has(value) || value instanceof Uint8Array) return;
    seen.add(value);
    if (isPayload(value)) payloads.push(value);
    else for (const item of Object.values(value)) collect(item);
  };
  collect(history);
  for (const payload of payloads) {
    let decoded: Payload[] = [payload];
    for (const codec of codecs) decoded = await codec.decode(decoded);
    Object.assign(payload, { metadata: decoded[0]!.metadata, data: decoded[0]!.data });
  }
  return history;
}

type Payload = temporal.api.common.v1.IPayload;
const isPayload = (value: object): value is Payload =>
  'metadata' in value && 'data' in value && (value as Payload).data instanceof Uint8Array;
