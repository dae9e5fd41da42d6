import express from 'express';
import { listen } from '../helpers/http';
import { mountApi } from './exact-online/api';
import { decide, mountOAuth, readAuthorizationRequest, type ConsentDecision } from './exact-online/oauth';
import {
  newGuid,
  now,
  type ExactFakeState,
  type FakeDivision,
  type FakeDocument,
  type LogEntry,
} from './exact-online/state';

export type { ConsentDecision } from './exact-online/oauth';
export type { FakeDivision, FakeDocument, LogEntry } from './exact-online/state';

export interface ExactFakeOptions {
  clientId: string;
  clientSecret: string;
  /** The redirect URI registered for the app; when absent any http(s) URI is accepted at sign-in. */
  redirectUri?: string;
  divisions?: FakeDivision[];
  user?: { fullName?: string; username?: string; password?: string; currentDivision?: number };
  /** Rows per page of a list (Exact: 60). */
  pageSize?: number;
  limits?: { minutely?: number; daily?: number };
}

export interface ExactFake {
  url: string;
  /** Every request: method, path, query, fake-clock time, Accept header, status. No secrets. */
  log: LogEntry[];
  readonly tokenCalls: number;
  user: { userId: string; fullName: string; username: string; password: string; currentDivision: number };
  /** The user's answer on the consent screen for an authorization URL: the redirect back to the app. */
  consent(authorizationUrl: string, decision?: ConsentDecision): string;
  /** The documents filed in a division, with their attachments. */
  documents(division: number): FakeDocument[];
  knobs: {
    /** The next API request (whose path contains `path`, if given) fails with this status and message. */
    failNext(failure: { status: number; message?: string; path?: string }): void;
    /** Uses up the current minute's quota of a division (of all divisions when none is given). */
    exhaustMinuteQuota(division?: number): void;
    exhaustDayQuota(division?: number): void;
    /** Moves the fake's clock forward: tokens, codes and quota windows age accordingly. */
    advanceClock(ms: number): void;
    /** Ends the current access token now, and lets a refresh through at once. */
    expireAccessTokens(): void;
    /** The token endpoint answers only after `ms` (a slow identity server). */
    delayTokenAnswers(ms: number): void;
    /** A division created after the sign-in: shared only with grants for "all current and future". */
    addDivision(division: FakeDivision): void;
  };
  /** The most errors any division+endpoint collected in its current hour, and how many calls the block refused. */
  errorBlock(): { maxErrors: number; blockedCalls: number };
  now(): number;
  close(): Promise<void>;
}

export const defaultDivisions: FakeDivision[] = [
  { code: 1001, description: 'Brasserie Dupont SRL', vatNumber: 'BE0123456749', hid: 1 },
  { code: 1002, description: 'Atelier Peeters BV', vatNumber: 'BE0987654394', hid: 2 },
];

/**
 * A contract fake of Exact Online on one country site: the OAuth endpoints and consent screen, and the
 * REST API (Me, Divisions, DocumentTypes, Documents, DocumentAttachments), enforcing Exact's rules
 * (see connectors/exact-online/README.md).
 */
export async function startExactFake(options: ExactFakeOptions): Promise<ExactFake> {
  const divisions = [...(options.divisions ?? defaultDivisions)];
  const state: ExactFakeState = {
    url: '',
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.redirectUri,
    user: {
      userId: newGuid(),
      fullName: options.user?.fullName ?? 'Marie Dupont',
      username: options.user?.username ?? 'marie@example.com',
      password: options.user?.password ?? 'correct horse',
      currentDivision: options.user?.currentDivision ?? divisions[0]?.code ?? 0,
    },
    divisions,
    pageSize: options.pageSize ?? 60,
    limits: { minutely: options.limits?.minutely ?? 60, daily: options.limits?.daily ?? 5000 },
    clockOffsetMs: 0,
    codes: new Map(),
    documents: new Map(),
    tokenCalls: 0,
    tokenAnswerDelayMs: 0,
    failures: [],
    minuteQuota: new Map(),
    dayQuota: new Map(),
    errorCounts: new Map(),
    blockedCalls: 0,
    log: [],
  };

  const app = express();
  app.use((request, response, next) => {
    response.on('finish', () => {
      state.log.push({
        method: request.method,
        path: request.path,
        query: Object.fromEntries(new URL(request.originalUrl, 'http://fake').searchParams),
        time: now(state),
        accept: request.get('accept'),
        prefer: request.get('prefer'),
        status: response.statusCode,
      });
    });
    next();
  });
  mountOAuth(app, state);
  mountApi(app, state);
  const server = await listen(app);
  state.url = server.url;

  const exhaust = (quota: ExactFakeState['minuteQuota'], size: number, limit: number, division?: number) => {
    const start = Math.floor(now(state) / size) * size;
    const codes = division === undefined ? state.divisions.map((candidate) => candidate.code) : [division];
    for (const code of codes) quota.set(code, { start, used: limit });
  };

  return {
    url: server.url,
    log: state.log,
    get tokenCalls() {
      return state.tokenCalls;
    },
    user: state.user,
    consent: (authorizationUrl, decision = 'allow') =>
      decide(state, readAuthorizationRequest(state, new URL(authorizationUrl).searchParams), decision),
    documents: (division) => state.documents.get(division) ?? [],
    errorBlock: () => ({
      maxErrors: Math.max(0, ...[...state.errorCounts.values()].map((window) => window.used)),
      blockedCalls: state.blockedCalls,
    }),
    knobs: {
      failNext: ({ status, message, path }) =>
        state.failures.push({ status, message: message ?? `Injected failure ${status}`, path }),
      exhaustMinuteQuota: (division) => exhaust(state.minuteQuota, 60_000, state.limits.minutely, division),
      exhaustDayQuota: (division) => exhaust(state.dayQuota, 86_400_000, state.limits.daily, division),
      advanceClock: (ms) => {
        state.clockOffsetMs += ms;
      },
      expireAccessTokens: () => {
        if (!state.grant) return;
        state.grant.accessExpiresAt = now(state);
        state.grant.lastTokenAt = -Infinity;
      },
      delayTokenAnswers: (ms) => {
        state.tokenAnswerDelayMs = ms;
      },
      addDivision: (division) => {
        state.divisions.push(division);
      },
    },
    now: () => now(state),
    close: server.close,
  };
}
