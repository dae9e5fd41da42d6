import { unreachable } from './http-failure';

/**
 * One JSON API call to a target whose base URL is our configuration (not user input, so no SSRF guard):
 * the answer's status and text, bounded by `timeoutMs`. No answer at all (refused, timed out, TLS) is
 * `unavailable`, in the words of `unreachable`; reading a failed status is the caller's (httpFailure).
 */
export async function callTarget(
  call: { baseUrl: string; path: string; timeoutMs: number; target: string; action: string },
  init: RequestInit = {},
): Promise<{ response: Response; body: string }> {
  try {
    const response = await fetch(new URL(call.path, call.baseUrl), {
      ...init,
      headers: { accept: 'application/json', ...init.headers },
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    return { response, body: await response.text() };
  } catch (error) {
    throw unreachable(call.target, call.action, error);
  }
}
