import { createHash } from 'node:crypto';
import type { XmlElement } from '../../documents/ubl-dom';
import { authenticate, callYuki, type YukiCall, type YukiEndpoint } from './client';
import { faultError, yukiFaultKind } from './faults';

/**
 * Session ids by host and key, kept in this worker's memory: every Authenticate costs one of the
 * domain's 1,000 daily calls, so deliveries reuse a session until Yuki refuses it. Keyed by a hash of
 * the key (the key itself is not kept here); a session id alone acts only for its own key's domain.
 */
export interface YukiSessions {
  get(endpoint: YukiEndpoint, apiKey: string): string | undefined;
  set(endpoint: YukiEndpoint, apiKey: string, sessionId: string): void;
  forget(endpoint: YukiEndpoint, apiKey: string, sessionId: string): void;
}

export function createSessionCache(): YukiSessions {
  const sessions = new Map<string, string>();
  const key = (endpoint: YukiEndpoint, apiKey: string) =>
    `${endpoint.baseUrl} ${createHash('sha256').update(apiKey).digest('hex')}`;
  return {
    get: (endpoint, apiKey) => sessions.get(key(endpoint, apiKey)),
    set: (endpoint, apiKey, sessionId) => void sessions.set(key(endpoint, apiKey), sessionId),
    forget(endpoint, apiKey, sessionId) {
      // Only the refused session: another delivery may already have stored a fresh one.
      if (sessions.get(key(endpoint, apiKey)) === sessionId) sessions.delete(key(endpoint, apiKey));
    },
  };
}

export interface YukiSessionContext {
  endpoint: YukiEndpoint;
  apiKey: string;
  phase: 'setup' | 'delivery';
  sessions: YukiSessions;
}

/**
 * A call that needs a session (its first parameter is `sessionID`): with the cached session, else a new
 * one. A session fault (expired, unknown) authenticates once more and repeats the call; a second
 * session fault is not retried here. Returns the method's answer element; other faults are classified.
 */
export async function callWithSession(context: YukiSessionContext, call: YukiCall): Promise<XmlElement> {
  const { endpoint, apiKey, sessions } = context;
  let sessionId = sessions.get(endpoint, apiKey);
  for (let attempt = 0; ; attempt++) {
    if (!sessionId) {
      sessionId = await authenticate(endpoint, apiKey, context.phase);
      sessions.set(endpoint, apiKey, sessionId);
    }
    const answer = await callYuki(endpoint, { ...call, params: [['sessionID', sessionId], ...call.params] });
    if ('result' in answer) return answer.result;
    if (yukiFaultKind(answer.fault) === 'session' && attempt === 0) {
      sessions.forget(endpoint, apiKey, sessionId);
      sessionId = undefined;
      continue;
    }
    throw faultError(answer.fault, call.action);
  }
}
