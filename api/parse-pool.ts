import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DocumentError, type DocumentErrorCode } from '../documents/document-error';
import { parseUbl, type ParsedDocument } from '../documents/parse-ubl';

/** Documents below this size are parsed inline: a thread hop would cost more than it saves. */
export const INLINE_PARSE_BYTES = 256 * 1024;

/** Thrown when as many large documents as allowed are being parsed already (the API answers 503). */
export class ParsePoolBusyError extends Error {
  override readonly name = 'ParsePoolBusyError';
}

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
 * parseUbl off the event loop: a few worker threads (created on first use) parse large documents,
 * at most `maxLarge` at once (running or queued); one more is refused with ParsePoolBusyError.
 */
export class ParsePool {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private started = 0;
  private nextId = 1;

  constructor(
    private readonly threads: number,
    private readonly maxLarge: number,
  ) {}

  /** Parses inline below INLINE_PARSE_BYTES, else on a thread. Throws DocumentError like parseUbl. */
  parse(xml: Buffer): Promise<ParsedDocument> {
    if (xml.length < INLINE_PARSE_BYTES) return Promise.resolve(parseUbl(xml));
    if (this.running.size + this.queue.length >= this.maxLarge) {
      return Promise.reject(new ParsePoolBusyError('Too many large documents are being parsed'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, xml, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const workers = [...this.idle, ...this.running.keys()];
    this.idle.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
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
    });
    worker.on('message', (answer: Answer) => {
      const task = this.running.get(worker);
      this.running.delete(worker);
      worker.unref();
      this.idle.push(worker);
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
    worker.on('error', (error) => {
      const task = this.running.get(worker);
      this.running.delete(worker);
      this.started--;
      task?.reject(error);
      this.dispatch();
    });
    return worker;
  }
}
