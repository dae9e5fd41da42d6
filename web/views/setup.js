import { ApiError } from '../lib/api.js';
import { fill, forScreenReaders, h } from '../lib/dom.js';
import { explainError } from '../lib/explain.js';
import { t } from '../lib/i18n.js';
import { stepRenderers } from './setup-steps.js';

/*
 * The setup wizard of one connection. The state lives in the setup workflow, not in the page: every
 * render starts from the connection the API returns (`setup.currentStep`, its options and last error),
 * so a reload, a return from a target's sign-in page or a second tab all show the step where it stands.
 */

const prefillKey = (connectionId) => `relais.prefill.${connectionId}`;

export async function setupView(ctx, connectionId) {
  const root = h('div', { class: 'setup' });
  let connection;
  let integration;
  // Non-secret answers of a setup this one restarts ("Back"): they prefill the same fields again.
  const prefill = JSON.parse(sessionStorage.getItem(prefillKey(connectionId)) ?? '{}');

  async function load() {
    connection = (await ctx.api.get(`/v1/connections/${connectionId}`)).connection;
    integration = await ctx.integration(connection.connectorId);
  }

  function show(updated, note) {
    connection = updated;
    render(note);
    root.querySelector('h2')?.focus();
  }

  function render(note) {
    const setup = connection.setup;
    const running = setup?.status === 'setting-up';
    const title = setup?.mode === 'reauthorize' && running ? 'setup.reauthorizeTitle' : 'setup.title';
    fill(
      root,
      h('h1', { tabindex: '-1' }, t(title, { name: integration.name })),
      h(
        'p',
        { class: 'lead' },
        t('setup.for', { documentType: t(`documentType.${connection.documentType}`) }),
      ),
      running ? [progress(setup), howTo(), stepForm(note)] : outcome(),
    );
  }

  function progress(setup) {
    return h(
      'ol',
      { class: 'progress', 'aria-label': t('setup.progress') },
      setup.steps.map((step) => {
        const current = step === setup.currentStep;
        const done = setup.completedSteps.includes(step);
        return h(
          'li',
          { class: current ? 'current' : done ? 'done' : null, 'aria-current': current ? 'step' : null },
          t(`step.${step}`),
          done ? forScreenReaders(` ${t('setup.stepDone')}`) : null,
        );
      }),
    );
  }

  function howTo() {
    return h(
      'details',
      { class: 'how-to' },
      h('summary', {}, t('setup.howTo', { name: integration.name })),
      integration.help.split('\n').map((line) => h('p', {}, line)),
    );
  }

  function stepForm(note) {
    const setup = connection.setup;
    const values = { ...connection.settings, ...prefill };
    const step = stepRenderers[setup.currentStep]({ connection, integration, values });
    const isLast = setup.steps.indexOf(setup.currentStep) === setup.steps.length - 1;
    const formError = h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });
    const submit = h(
      'button',
      { type: 'submit', class: 'primary' },
      step.submitLabel ?? t(isLast ? 'setup.connect' : 'setup.next'),
    );
    const status = h('p', { class: 'working', role: 'status' });
    const form = h(
      'form',
      { novalidate: true, class: 'step', 'aria-labelledby': 'step-title' },
      h('h2', { id: 'step-title', tabindex: '-1' }, step.title),
      h('p', {}, step.intro),
      signedIn(),
      formError,
      step.body,
      h(
        'div',
        { class: 'actions' },
        submit,
        h('button', { type: 'button', class: 'secondary', onclick: () => leave(back) }, t('setup.back')),
        h('button', { type: 'button', class: 'link', onclick: () => leave(cancel) }, t('setup.cancel')),
      ),
      status,
    );

    /** A text, or the nodes of a refusal said in the reader's language. */
    const setFormError = (content) => {
      fill(formError, content ?? []);
      formError.hidden = !content;
    };
    const outcome = ctx.signInOutcome?.connectionId === connection.id ? ctx.signInOutcome : null;
    // Shown once: the workflow's own lastError covers later visits.
    if (outcome) ctx.signInOutcome = null;
    // The workflow's record of a refusal carries its code: preferred to the message of the sign-in's return.
    const lastError =
      setup.lastError?.step === setup.currentStep
        ? refusal(setup.lastError.code, setup.lastError.message, setup.lastError.targetMessage)
        : null;
    setFormError(note ?? lastError ?? (outcome?.status === 'error' ? outcome.message : null));

    const busy = (working) => {
      for (const button of form.querySelectorAll('button')) button.disabled = Boolean(working);
      form.setAttribute('aria-busy', working ? 'true' : 'false');
      status.textContent = working ?? '';
    };

    async function leave(action) {
      busy(t('setup.working'));
      try {
        await action();
      } catch (error) {
        busy(null);
        setFormError(messageOf(error));
        formError.focus();
      }
    }

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      for (const item of Object.values(step.controls)) item.setError('');
      setFormError(null);
      const body = step.collect();
      if (!body) return form.querySelector('[aria-invalid="true"]')?.focus();
      busy(step.working ?? t('setup.working'));
      try {
        const answer = await ctx.api.post(
          `/v1/connections/${connection.id}/steps/${setup.currentStep}`,
          body,
        );
        sessionStorage.removeItem(prefillKey(connectionId));
        if (setup.currentStep === 'oauth') return location.assign(answer.connection.setup.oauth.startUrl);
        show(answer.connection);
      } catch (error) {
        busy(null);
        if (error instanceof ApiError && error.status === 409) {
          await load();
          return show(connection, t('setup.stepMoved'));
        }
        showErrors(error);
      }
    });

    /** 400: each detail next to its field; anything else (422: the target's refusal) above the form. */
    function showErrors(error) {
      const unplaced = [];
      for (const detail of error instanceof ApiError ? error.details : []) {
        const target = step.controls[detail.path];
        if (target) target.setError(detail.message);
        else unplaced.push(detail);
      }
      const placed = error instanceof ApiError && error.details.length > unplaced.length;
      // 422: the target refused; its code said in the reader's language, the target's words beside.
      const refused =
        error instanceof ApiError && error.code === 'target-refused'
          ? refusal(error.reason, error.message, error.message)
          : null;
      setFormError(placed && unplaced.length === 0 ? null : (refused ?? messageOf(error)));
      (form.querySelector('[aria-invalid="true"]') ?? (formError.hidden ? null : formError))?.focus();
    }
    return form;
  }

  function refusal(code, message, targetMessage) {
    return explainError({
      prefix: 'setupError',
      code,
      message,
      targetMessage,
      name: integration.name,
      fallback: 'setupError.other',
    });
  }

  /** After a sign-in: whose account the connection uses. */
  function signedIn() {
    const account = connection.setup?.authorization?.accountName;
    return account
      ? h('p', { class: 'success' }, t('setup.signedInAs', { name: integration.name, account }))
      : null;
  }

  async function cancel() {
    await ctx.api.post(`/v1/connections/${connection.id}/cancel`);
    ctx.announce(t('connections.cancelled', { name: integration.name }));
    ctx.navigate('#/connections');
  }

  /**
   * The workflow only moves forward, so "Back" leaves this setup: from its first step to the list of
   * services; from a later one to a new setup of the same service, prefilled with the answers given.
   */
  async function back() {
    const setup = connection.setup;
    await ctx.api.post(`/v1/connections/${connection.id}/cancel`);
    if (setup.mode === 'reauthorize') return ctx.navigate('#/connections');
    if (setup.completedSteps.length === 0) return ctx.navigate(`#/new/${connection.documentType}`);
    const restarted = await startAgain();
    sessionStorage.setItem(prefillKey(restarted), JSON.stringify(connection.settings ?? {}));
    ctx.navigate(`#/setup/${restarted}`);
  }

  async function startAgain() {
    const created = await ctx.api.post('/v1/connections', {
      connectorId: connection.connectorId,
      documentType: connection.documentType,
    });
    return created.connection.id;
  }

  /** What a setup that no longer runs came to, and the way on from there. */
  function outcome() {
    const name = integration.name;
    const again = h(
      'button',
      {
        type: 'button',
        class: 'primary',
        onclick: () => ctx.attempt(async () => ctx.navigate(`#/setup/${await startAgain()}`)),
      },
      t('setup.startAgain'),
    );
    const toConnections = h(
      'a',
      { class: 'button secondary', href: '#/connections' },
      t('setup.toConnections'),
    );
    const explanation = connection.statusMessage ? h('p', {}, connection.statusMessage) : null;
    switch (connection.status) {
      case 'active':
        return h(
          'section',
          { class: 'confirmation', 'aria-labelledby': 'done-title' },
          h('h2', { id: 'done-title', tabindex: '-1' }, t('setup.doneTitle', { name })),
          h(
            'p',
            {},
            connection.setup?.mode === 'reauthorize'
              ? t('setup.reauthorizedText')
              : t('setup.doneText', { name, documentType: t(`documentType.${connection.documentType}`) }),
          ),
          signedIn(),
          h(
            'div',
            { class: 'actions' },
            toConnections,
            h('a', { class: 'button secondary', href: '#/new' }, t('setup.another')),
          ),
        );
      case 'needs-reauth':
        return ending(t('setup.needsReauth', { name }), explanation, [
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              onclick: () =>
                ctx.attempt(async () => {
                  const answer = await ctx.api.post(`/v1/connections/${connection.id}/reauthorize`);
                  show(answer.connection);
                }),
            },
            t('connections.reauthorize'),
          ),
          toConnections,
        ]);
      case 'disconnected':
        return ending(t('setup.disconnectedNote'), explanation, [toConnections]);
      case 'cancelled':
        return ending(t('setup.cancelledNote'), null, [again, toConnections]);
      case 'expired':
        return ending(t('setup.expiredNote'), null, [again, toConnections]);
      case 'failed':
        return ending(t('setup.failedNote'), explanation, [again, toConnections]);
      default:
        return ending(t('setup.notRunning'), null, [again, toConnections]);
    }
  }

  function ending(title, explanation, actions) {
    return h(
      'section',
      { class: 'ending', 'aria-labelledby': 'ending-title' },
      h('h2', { id: 'ending-title', tabindex: '-1' }, title),
      explanation,
      h('div', { class: 'actions' }, actions),
    );
  }

  await load();
  render();
  return { element: root };
}

function messageOf(error) {
  return error instanceof ApiError ? error.message : t('error.unexpected', { message: String(error) });
}
