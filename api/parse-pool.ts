import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DocumentError, type DocumentErrorCode } from '../documents/document-error';
import { parseUbl, type ParsedDocument } from '../documents/parse-ubl';
import { LARGE_DOCUMENT_BYTES } from './large-documents';

/**
 * Young generation of a thread: V8's default (48 MB) only fills with the guard's short-lived match
 * results; a small one is scavenged more often, at no measurable cost, and is 40 MB less per thread.
 */
const THREAD_YOUNG_GENERATION_MB = 8;
/** A thread idle this long ends, its heap with it (about 60 MB); the next large document starts one. */
const THREAD_IDLE_MS = 60_000;

interface Task {
  id: number;
  xml: Buffer;
  resolve: (parsed: ParsedDocument) => void;
  reject: (error: Error) => void;
}

type Answer =
  | { id: number; parsed: ParsedDocument }
  | { id: number; error: { code: DocumentErrorCode; message: string; field?: string } };

/**
 * parseUbl off the event loop: a few worker threads (created on first use) parse large documents, one
 * at a time each, the others queued (LargeDocumentGate bounds how many there are). A document on
 * shared memory reaches its thread without a copy. Each thread's heap is capped at `heapMb`: V8
 * collects sooner near its limit (a 20 MB invoice leaves 50 MB of heap instead of 155 MB), and a
 * document that needs more is refused as a DocumentError (the thread is replaced).
 */
export class ParsePool {
  private readonly idle: Worker[] = [];
  private readonly idleTimers = new Map<Worker, NodeJS.Timeout>();
  private readonly running = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private started = 0;
  private nextId = 1;

  constructor(
    private readonly threads: number,
    private readonly heapMb: number,
    private readonly idleMs = THREAD_IDLE_MS,
  ) {}

  /** Parses inline below LARGE_DOCUMENT_BYTES (a thread hop would cost more than it saves), else on a thread. Throws DocumentError like parseUbl. */
  parse(xml: Buffer): Promise<ParsedDocument> {
    if (xml.length < LARGE_DOCUMENT_BYTES) return Promise.resolve(parseUbl(xml));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, xml, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const workers = [...this.idle, ...this.running.keys()];
    this.idle.length = 0;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  /** How many threads there are now, busy or idle. */
  get threadCount(): number {
    return this.started;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (worker) {
        clearTimeout(this.idleTimers.get(worker));
        this.idleTimers.delete(worker);
      }
      if (!worker && this.started < this.threads) worker = this.spawn();
      if (!worker) return;
      const task = this.queue.shift()!;
      this.running.set(worker, task);
      worker.ref();
      worker.postMessage({ id: task.id, xml: task.xml });
    }
  }

  private spawn(): Worker {
    this.started++;
    // The thread runs TypeScript through tsx's require hook, whether this process runs under tsx
    // (npm start, npm run api) or node --import tsx (npm test): a worker's entry ignores --import hooks.
    const entry = path.join(__dirname, 'parse-worker.ts');
    const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, {
      eval: true,
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: this.heapMb,
        maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB,
      },
    });
    worker.on('message', (answer: Answer) => {
      const task = this.running.get(worker);
      this.running.delete(worker);
      worker.unref();
      this.idle.push(worker);
      this.retireWhenIdle(worker);
      if (task) {
        if ('error' in answer) {
          const { code, message, field } = answer.error;
          task.reject(new DocumentError(code, message, field));
        } else {
          const { parsed } = answer;
          // Buffers cross the thread boundary as plain Uint8Arrays.
          if (parsed.pdf) {
            const bytes = parsed.pdf.content;
            parsed.pdf.content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          }
          task.resolve(parsed);
        }
      }
      this.dispatch();
    });
    // The thread is gone after an error: the next document gets a new one.
    worker.on('error', (error: Error & { code?: string }) => {
      const task = this.running.get(worker);
      this.running.delete(worker);
      this.forget(worker);
      task?.reject(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new DocumentError(
              'malformed-xml',
              'The document is refused: reading it takes more memory than one document may use ' +
                '(it holds too many elements outside its lines).',
            )
          : error,
      );
      this.dispatch();
    });
    return worker;
  }

  private retireWhenIdle(worker: Worker): void {
    const timer = setTimeout(() => {
      this.forget(worker);
      void worker.terminate();
    }, this.idleMs);
    timer.unref();
    this.idleTimers.set(worker, timer);
  }

  /** Takes a thread that ended, or is about to, out of the pool. */
  private forget(worker: Worker): void {
    clearTimeout(this.idleTimers.get(worker));
    this.idleTimers.delete(worker);
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
    this.started--;
  }
}
