/**
 * A browser as far as OAuth cares: follows our start link (keeping its cookie), lets the provider's
 * consent decide where to go next, and brings the provider's redirect back to our callback with the
 * same cookie. Returns where Relais finally sends the browser (the frontend's return URL).
 */
export async function signInThroughBrowser(
  startUrl: string,
  consent: (providerUrl: string) => Promise<string> | string,
  options: { cookie?: string } = {},
): Promise<{ returnedTo: URL; cookie: string | undefined; callbackStatus: number; callbackBody: string }> {
  const start = await fetch(startUrl, {
    redirect: 'manual',
    headers: options.cookie ? { cookie: options.cookie } : {},
  });
  if (start.status !== 302) throw new Error(`start link answered ${start.status}: ${await start.text()}`);
  const cookie = options.cookie ?? start.headers.get('set-cookie')?.split(';')[0];
  const callbackUrl = await consent(start.headers.get('location')!);
  const callback = await fetch(callbackUrl, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const body = await callback.text();
  const location = callback.headers.get('location');
  return {
    returnedTo: new URL(location ?? 'about:blank'),
    cookie,
    callbackStatus: callback.status,
    callbackBody: body,
  };
}

/**
 * Every string in a workflow history, payload bytes decoded as UTF-8: what a secret scan searches.
 * Walks the objects itself: protobuf messages' toJSON would turn bytes into base64 and hide them.
 */
export function historyText(history: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) parts.push(Buffer.from(value).toString('utf8'));
    else if (typeof value === 'string') parts.push(value);
    else if (value && typeof value === 'object' && !seen.has(value)) {
      seen.add(value);
      for (const item of Object.values(value)) walk(item);
    }
  };
  walk(history);
  return parts.join('\n');
}
