/*
 * The tenant's API key lives in sessionStorage: this tab only, gone when it closes, and still there when
 * the tab comes back from a sign-in at a target (OAuth). `npm start` prints a link carrying the
 * development key in the fragment (#key=...), which browsers never send to a server.
 */
const storageKey = 'relais.apiKey';

export const apiKey = () => sessionStorage.getItem(storageKey);
export const setApiKey = (key) => sessionStorage.setItem(storageKey, key);
export const forgetApiKey = () => sessionStorage.removeItem(storageKey);

/** Takes a key from `#key=...`, keeps it and removes it from the address bar and history. */
export function takeKeyFromAddress() {
  const match = /^#key=([^&]+)/.exec(location.hash);
  if (!match) return;
  setApiKey(decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#/connections`);
}

/**
 * The outcome the OAuth callback appended to our return URL (`?status=ok|error&message=&connectionId=`):
 * read once, then removed so a reload does not show it again.
 */
export function takeSignInOutcome() {
  const query = new URLSearchParams(location.search);
  const status = query.get('status');
  if (!status) return null;
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  return { status, message: query.get('message'), connectionId: query.get('connectionId') };
}
