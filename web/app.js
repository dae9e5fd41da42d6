import { ApiError, createApi } from './lib/api.js';
import { h } from './lib/dom.js';
import { language, languages, setLanguage, t } from './lib/i18n.js';
import { apiKey, forgetApiKey, takeKeyFromAddress, takeSignInOutcome } from './lib/session.js';
import { connectionsView } from './views/connections.js';
import { deliveryView } from './views/delivery.js';
import { chooseTypeView, documentTypes, integrationsView } from './views/new-connection.js';
import { setupView } from './views/setup.js';
import { signInView } from './views/sign-in.js';

/*
 * The reference web app: a setup wizard and a connections page on Relais's public API, nothing else.
 * Routes live in the fragment (#/connections, #/new, #/new/<document type>, #/setup/<connection id>),
 * so the API serves one static page and a reload or a return from a target's sign-in lands on the
 * same screen.
 */

takeKeyFromAddress();
const signInOutcome = takeSignInOutcome();

const app = document.getElementById('app');
const main = h('main', { id: 'main', tabindex: '-1' });
const announcer = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
const banner = h('div', { class: 'form-error banner', role: 'alert', hidden: true });
let current = null;
let rendering = 0;
let signInReason = null;

const catalogues = new Map();
const integrations = new Map();

const api = createApi({
  apiKey,
  onUnauthorized() {
    if (current?.name === 'sign-in') return;
    forgetApiKey();
    signInReason = t('signIn.expired');
    renderShell();
    void route();
  },
});

/** What every view gets: the API, the catalogue (cached per language), navigation and announcements. */
const ctx = {
  api,
  signInOutcome,
  catalogue(documentType) {
    const key = `${language()}|${documentType ?? ''}`;
    if (!catalogues.has(key)) {
      const query = new URLSearchParams({ lang: language(), ...(documentType ? { documentType } : {}) });
      const loading = api.get(`/v1/integrations?${query}`).then((answer) => answer.integrations);
      loading.catch(() => catalogues.delete(key));
      catalogues.set(key, loading);
    }
    return catalogues.get(key);
  },
  integration(connectorId) {
    const key = `${language()}|${connectorId}`;
    if (!integrations.has(key)) {
      const loading = api
        .get(`/v1/integrations/${encodeURIComponent(connectorId)}?lang=${language()}`)
        .then((answer) => answer.integration);
      loading.catch(() => integrations.delete(key));
      integrations.set(key, loading);
    }
    return integrations.get(key);
  },
  navigate(hash) {
    if (location.hash === hash) void route();
    else location.hash = hash;
  },
  announce(text) {
    announcer.textContent = text;
  },
  /** Runs a user's action; a refusal shows in the banner at the top instead of vanishing. */
  async attempt(work) {
    banner.hidden = true;
    try {
      await work();
    } catch (error) {
      banner.textContent =
        error instanceof ApiError ? error.message : t('error.unexpected', { message: String(error) });
      banner.hidden = false;
      banner.focus();
    }
  },
  signedIn() {
    signInReason = null;
    renderShell();
    ctx.navigate('#/connections');
  },
};

/** The view of a route: its name (for the page title) and how to build it. */
function viewFor(hash) {
  if (!apiKey()) return { name: 'sign-in', build: () => signInView(ctx, signInReason) };
  const [page = '', argument] = hash.replace(/^#\/?/, '').split('/');
  if (page === 'new' && argument && documentTypes.includes(argument))
    return { name: 'integrations', build: () => integrationsView(ctx, argument) };
  if (page === 'new') return { name: 'new', build: () => chooseTypeView(ctx) };
  if (page === 'setup' && argument) return { name: 'setup', build: () => setupView(ctx, argument) };
  if (page === 'delivery' && argument) return { name: 'delivery', build: () => deliveryView(ctx, argument) };
  return { name: 'connections', build: () => connectionsView(ctx) };
}

async function route() {
  const token = ++rendering;
  current?.dispose?.();
  const view = viewFor(location.hash);
  current = { name: view.name };
  banner.hidden = true;
  main.setAttribute('aria-busy', 'true');
  main.replaceChildren(h('p', { class: 'loading' }, t('app.loading')));
  let built;
  try {
    built = await view.build();
  } catch (error) {
    if (token !== rendering) return;
    built = { element: failure(error) };
  }
  // A later navigation won the race: this view is already out of date.
  if (token !== rendering) return built.dispose?.();
  current = { name: view.name, dispose: built.dispose };
  main.replaceChildren(built.element);
  main.setAttribute('aria-busy', 'false');
  const heading = main.querySelector('h1');
  document.title = heading ? `${heading.textContent} – ${t('app.name')}` : t('app.name');
  // Moving focus to the new heading tells screen reader users that the page changed.
  (heading ?? main).focus();
}

function failure(error) {
  return h(
    'div',
    { class: 'failure' },
    h('h1', { tabindex: '-1' }, t('app.name')),
    h(
      'p',
      { class: 'form-error', role: 'alert' },
      error instanceof ApiError ? error.message : t('error.unexpected', { message: String(error) }),
    ),
    h('button', { type: 'button', class: 'primary', onclick: () => route() }, t('app.retry')),
  );
}

function renderShell() {
  const languageSelect = h(
    'select',
    { id: 'language', onchange: (event) => changeLanguage(event.target.value) },
    languages.map((item) =>
      h('option', { value: item.code, lang: item.code, selected: item.code === language() }, item.name),
    ),
  );
  const header = h(
    'header',
    { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: skipToContent }, t('app.skip')),
    h('a', { class: 'brand', href: '#/connections' }, t('app.name')),
    apiKey()
      ? h(
          'nav',
          { 'aria-label': t('nav.label') },
          h('a', { href: '#/connections' }, t('nav.connections')),
          h('a', { href: '#/new' }, t('nav.new')),
        )
      : null,
    h('div', { class: 'language' }, h('label', { for: 'language' }, t('nav.language')), languageSelect),
    apiKey()
      ? h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: signOut }, t('nav.signOut'))
      : null,
  );
  app.replaceChildren(header, banner, main, announcer);
}

/** The skip link must not change the route: it only moves the focus. */
function skipToContent(event) {
  event.preventDefault();
  main.focus();
}

function changeLanguage(code) {
  setLanguage(code);
  renderShell();
  void route().then(() => document.getElementById('language')?.focus());
}

function signOut() {
  forgetApiKey();
  renderShell();
  void route();
}

// A #key= link opened in this tab (even on the sign-in page) changes only the fragment: take the key then too.
window.addEventListener('hashchange', () => {
  takeKeyFromAddress();
  void route();
});
renderShell();
void route();
