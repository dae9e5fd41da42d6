import type { AuthorizationRequest, ExactFakeState } from './state';

/**
 * Exact's sign-in and consent screen, reduced to what a browser test clicks: user name and password,
 * the divisions to share (or all current and future ones), Allow or Deny. Field names and ids are
 * stable for test selectors.
 */
export function renderConsentPage(
  state: ExactFakeState,
  request: AuthorizationRequest,
  problem?: string,
): string {
  const hidden = [
    ['client_id', request.clientId],
    ['redirect_uri', request.redirectUri],
    ['response_type', request.responseType],
    ['state', request.state ?? ''],
  ]
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value ?? '')}">`)
    .join('\n      ');
  const divisions = state.divisions
    .map(
      (division) =>
        `<label><input type="checkbox" name="division" value="${division.code}"> ` +
        `${escapeHtml(division.description)} (${division.hid ?? division.code})</label>`,
    )
    .join('\n        ');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Exact Online - Sign in</title></head>
  <body>
    <h1>Exact Online</h1>
    ${problem ? `<p id="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
    <form method="post" action="/api/oauth2/auth" id="consent">
      ${hidden}
      <label>User name <input id="username" name="username" autocomplete="username"></label>
      <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
      <fieldset>
        <legend>Share these companies with the app</legend>
        <label><input type="radio" name="scope" value="all" checked> All current and future companies</label>
        <label><input type="radio" name="scope" value="chosen"> Only the companies chosen below</label>
        ${divisions}
      </fieldset>
      <button type="submit" id="allow" name="decision" value="allow">Allow</button>
      <button type="submit" id="deny" name="decision" value="deny">Deny</button>
    </form>
  </body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
