import { ApiError } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { forgetApiKey, setApiKey } from '../lib/session.js';
import { control } from './fields.js';

/** Asks once for the tenant's API key and checks it against the API before keeping it. */
export async function signInView(ctx, reason) {
  const key = control({
    id: 'api-key',
    label: t('signIn.key'),
    input: h('input', {
      type: 'password',
      name: 'apiKey',
      autocomplete: 'current-password',
      spellcheck: 'false',
    }),
    help: t('signIn.keyHelp'),
  });
  const problem = h('div', { class: 'form-error', role: 'alert', hidden: !reason }, reason ?? '');
  const form = h(
    'form',
    { novalidate: true, class: 'sign-in' },
    h('h1', { tabindex: '-1' }, t('signIn.title')),
    h('p', {}, t('signIn.intro')),
    problem,
    key.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('signIn.submit'))),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = key.input.value.trim();
    key.setError(value ? '' : t('signIn.empty'));
    if (!value) return key.input.focus();
    setApiKey(value);
    try {
      await ctx.api.get('/v1/connections');
      ctx.signedIn();
    } catch (error) {
      forgetApiKey();
      key.setError(error instanceof ApiError && error.status === 401 ? t('signIn.refused') : error.message);
      key.input.focus();
    }
  });
  return { element: form };
}
