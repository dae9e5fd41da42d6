/*
 * Graph upload sessions for files above the simple-upload limit [doc: driveItem createUploadSession]:
 * fragments are sent in order, each a multiple of 320 KiB except the last, to the session's uploadUrl,
 * which is pre-authenticated: it must NOT get our Authorization header.
 */
import { ConnectorError } from '../errors';
import { classifyGraphError, graphFetch, readGraphError, type GraphError } from './graph-errors';

/** 320 KiB: every fragment but the last must be a multiple of this [doc]. */
export const FRAGMENT_UNIT_BYTES = 320 * 1024;
/** 10 × 320 KiB = 3.2 MiB per request, inside the 60 MiB per-request cap [doc]. */
export const FRAGMENT_BYTES = 10 * FRAGMENT_UNIT_BYTES;
/** An expired session (404) is started over at most this many times per attempt, then the attempt retries. */
const MAX_SESSION_RESTARTS = 2;
/** Lost answers and 416s are recovered from at most this many times per session (a loop guard). */
const MAX_RESUMES = 5;

export type SessionOutcome = { kind: 'done'; item: unknown } | { kind: 'conflict'; error: GraphError };

/**
 * Creates a session with conflictBehavior fail and sends `content` through it. A 416 (the fragment was
 * already received, e.g. after a lost answer) resumes from the session's nextExpectedRanges; a 404 (the
 * session expired) starts a new session. Any other failure deletes the session before it is thrown.
 */
export async function uploadInSession(input: {
  createUrl: string;
  accessToken: string;
  content: Buffer;
  action: string;
}): Promise<SessionOutcome> {
  for (let restart = 0; ; restart += 1) {
    const created = await graphFetch(
      input.createUrl,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${input.accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ item: { '@microsoft.graph.conflictBehavior': 'fail' } }),
      },
      input.action,
    );
    if (!created.ok) {
      const error = await readGraphError(created);
      if (error.status === 409 && error.code === 'nameAlreadyExists') return { kind: 'conflict', error };
      throw classifyGraphError(error, input.action);
    }
    const { uploadUrl } = (await created.json()) as { uploadUrl?: unknown };
    if (typeof uploadUrl !== 'string') {
      throw new ConnectorError(
        'unavailable',
        `OneDrive answered the upload session without an upload URL (${input.action}).`,
      );
    }
    const outcome = await sendFragments(uploadUrl, input.content, input.action);
    if (outcome !== 'expired') return outcome;
    if (restart === MAX_SESSION_RESTARTS) {
      throw new ConnectorError(
        'unavailable',
        `OneDrive's upload sessions kept expiring (${input.action}). Trying again later.`,
      );
    }
  }
}

async function sendFragments(
  uploadUrl: string,
  content: Buffer,
  action: string,
): Promise<SessionOutcome | 'expired'> {
  let start = 0;
  let resumes = 0;
  for (;;) {
    const end = Math.min(start + FRAGMENT_BYTES, content.length);
    let response: Response;
    try {
      response = await graphFetch(
        uploadUrl,
        {
          method: 'PUT',
          headers: {
            'Content-Length': String(end - start),
            'Content-Range': `bytes ${start}-${end - 1}/${content.length}`,
          },
          body: content.subarray(start, end),
        },
        action,
      );
    } catch (error) {
      // The answer may be lost while the bytes arrived: send the fragment again; a 416 then says so.
      if (resumes < MAX_RESUMES) {
        resumes += 1;
        continue;
      }
      await abort(uploadUrl);
      throw error;
    }
    if (response.status === 200 || response.status === 201)
      return { kind: 'done', item: await response.json() };
    if (response.status === 202) {
      await response.body?.cancel();
      start = end;
      continue;
    }
    const error = await readGraphError(response);
    if (error.status === 404) return 'expired';
    if (error.status === 416 && resumes < MAX_RESUMES) {
      resumes += 1;
      start = await nextExpectedByte(uploadUrl, action);
      continue;
    }
    if (error.status === 409 && error.code === 'nameAlreadyExists') {
      await abort(uploadUrl);
      return { kind: 'conflict', error };
    }
    await abort(uploadUrl);
    throw classifyGraphError(error, action);
  }
}

/** GET uploadUrl tells which bytes the session still wants: `nextExpectedRanges: ["26-"]` [doc]. */
async function nextExpectedByte(uploadUrl: string, action: string): Promise<number> {
  const response = await graphFetch(uploadUrl, {}, action);
  if (!response.ok) throw classifyGraphError(await readGraphError(response), action);
  const { nextExpectedRanges } = (await response.json()) as { nextExpectedRanges?: unknown };
  const first = Array.isArray(nextExpectedRanges) ? nextExpectedRanges[0] : undefined;
  const start = typeof first === 'string' ? Number(first.split('-')[0]) : NaN;
  if (!Number.isInteger(start) || start < 0) {
    throw new ConnectorError(
      'unavailable',
      `OneDrive did not say where to resume the upload (${action}). Trying again.`,
    );
  }
  return start;
}

/** Best effort: an abandoned session would otherwise hold its bytes until it expires [doc]. */
async function abort(uploadUrl: string): Promise<void> {
  try {
    const response = await fetch(uploadUrl, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
    await response.body?.cancel();
  } catch {
    // The session expires on its own.
  }
}
