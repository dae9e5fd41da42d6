/*
 * fetch for user-supplied URLs (a BoCount base URL, a Count-e API instance, any future one). Each hop
 * of a redirect chain is checked by the SSRF guard before it is requested, and the connection itself
 * resolves its host through the guard, so a DNS answer that changes between the check and the connect
 * (DNS rebinding) cannot lead anywhere the guard refused.
 */
import type { LookupFunction } from 'node:net';
import { Agent, fetch, Headers, type RequestInit, type Response } from 'undici';
import { ConnectorError } from '../errors';
import { assertPublicHost, assertPublicUrl, type NetworkPolicy } from './network-guard';

export const MAX_REDIRECTS = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Headers that carry the caller's identity at one origin: never sent on to another (as browsers do). */
const originBoundHeaders = ['authorization', 'cookie', 'proxy-authorization'];
/** Headers describing a body that a redirect to GET drops. */
const bodyHeaders = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];

/** Redirects are ours to follow, and the connection pool is the guard's. */
export type GuardedRequestInit = Omit<RequestInit, 'redirect' | 'dispatcher'>;

/** Node's lookup for sockets, answered by the guard: only checked addresses are ever connected to. */
function guardedLookup(policy: NetworkPolicy): LookupFunction {
  return (hostname, options, callback) => {
    assertPublicHost(hostname, policy).then(
      (addresses) => {
        const wanted = addresses.filter((a) => !options.family || a.family === options.family);
        if (options.all) callback(null, wanted);
        else if (wanted[0]) callback(null, wanted[0].address, wanted[0].family);
        else
          callback(Object.assign(new Error(`No usable address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

/** One connection pool per policy (a connector's configuration holds one policy for its lifetime). */
const agents = new WeakMap<NetworkPolicy, Agent>();
function guardedAgent(policy: NetworkPolicy): Agent {
  let agent = agents.get(policy);
  if (!agent) {
    agent = new Agent({
      connect: { lookup: guardedLookup(policy), ...(policy.ca ? { ca: policy.ca } : {}) },
    });
    agents.set(policy, agent);
  }
  return agent;
}

async function send(url: URL, init: GuardedRequestInit, policy: NetworkPolicy): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'manual', dispatcher: guardedAgent(policy) });
  } catch (error) {
    // undici wraps what the lookup refused in "fetch failed": the guard's own words are the useful part.
    const cause = (error as Error).cause;
    throw cause instanceof ConnectorError ? cause : error;
  }
}

/** The request to send to the redirect's target, as the fetch standard rewrites it. */
function redirected(init: GuardedRequestInit, status: number, from: URL, to: URL): GuardedRequestInit {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  let next: GuardedRequestInit = { ...init, headers };
  if (
    ((status === 301 || status === 302) && method === 'POST') ||
    (status === 303 && method !== 'GET' && method !== 'HEAD')
  ) {
    next = { ...next, method: 'GET', body: null };
    for (const name of bodyHeaders) headers.delete(name);
  }
  if (from.origin !== to.origin) for (const name of originBoundHeaders) headers.delete(name);
  return next;
}

/**
 * fetch (undici) through the SSRF guard: https only, public addresses only (or allow-listed by the
 * policy), checked for the URL and again for every redirect, at most MAX_REDIRECTS of them. A refusal
 * is a ConnectorError `misconfigured` whose message says why; network failures reject as fetch's do.
 * A body given as a stream cannot be sent again after a 307/308 redirect.
 */
export async function guardedFetch(
  url: string | URL,
  init: GuardedRequestInit,
  policy: NetworkPolicy,
): Promise<Response> {
  let target = await assertPublicUrl(url, policy);
  let request = init;
  for (let redirects = 0; ; redirects += 1) {
    const response = await send(target, request, policy);
    const location = response.headers.get('location');
    if (!redirectStatuses.has(response.status) || location === null) return response;
    await response.body?.cancel();
    if (redirects === MAX_REDIRECTS) {
      throw new ConnectorError(
        'misconfigured',
        `${target.host} redirected more than ${MAX_REDIRECTS} times without answering. Check the address.`,
      );
    }
    let next: URL;
    try {
      next = new URL(location, target);
    } catch {
      throw new ConnectorError('unavailable', `${target.host} answered with an invalid redirect.`);
    }
    await assertPublicUrl(next, policy);
    request = redirected(request, response.status, target, next);
    target = next;
  }
}
