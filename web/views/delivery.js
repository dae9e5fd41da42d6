import { h } from '../lib/dom.js';
import { explainError } from '../lib/explain.js';
import { formatDate, formatMoment, t } from '../lib/i18n.js';

/*
 * What one delivery went through (GET /v1/deliveries/:id/timeline): accepted, each attempt with its time,
 * outcome and the target's words, parked and resumed, delivered with its receipt, failed. The API answers
 * codes; the sentences are the app's, in the reader's language. Refreshes itself while the delivery runs.
 */
const refreshMs = 3000;
const ended = new Set(['delivered', 'failed']);
const tones = {
  delivered: 'ok',
  retrying: 'warn',
  'awaiting-confirmation': 'warn',
  rejected: 'bad',
  parked: 'warn',
  failed: 'bad',
};

export async function deliveryView(ctx, deliveryId) {
  const root = h('div', { class: 'delivery-history' });
  let shown = '';
  let name = '';
  let delivery;

  async function refresh() {
    const [answer, integrations] = await Promise.all([
      ctx.api.get(`/v1/deliveries/${encodeURIComponent(deliveryId)}/timeline`),
      ctx.catalogue(),
    ]);
    delivery = answer.delivery;
    name = integrations.find((item) => item.id === delivery.connectorId)?.name ?? delivery.connectorId;
    // Redraw only on news: a redraw under the keyboard focus or a screen reader's cursor disturbs.
    const snapshot = JSON.stringify(answer);
    if (snapshot === shown) return;
    const first = shown === '';
    shown = snapshot;
    draw(answer, first);
  }

  function draw({ events }, first) {
    const focused = document.activeElement?.id;
    root.replaceChildren(
      h('h1', { tabindex: '-1' }, t('timeline.title')),
      h('p', { class: 'lead' }, t('timeline.intro', { name, date: formatDate(delivery.createdAt) })),
      h(
        'p',
        { class: 'now' },
        t('timeline.now'),
        ' ',
        h(
          'span',
          { class: `status status--${delivery.status}`, id: 'delivery-status' },
          t(`deliveryStatus.${delivery.status}`),
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'timeline-events' },
        h('h2', { id: 'timeline-events' }, t('timeline.events')),
        h('ol', { class: 'timeline' }, items(events)),
      ),
      h(
        'div',
        { class: 'actions' },
        delivery.status === 'failed'
          ? h(
              'button',
              {
                type: 'button',
                class: 'primary',
                id: 'retry-delivery',
                onclick: () =>
                  ctx.attempt(async () => {
                    await ctx.api.post(`/v1/deliveries/${delivery.id}/retry`);
                    ctx.announce(t('connections.retried'));
                    await refresh();
                  }),
              },
              t('connections.retry'),
            )
          : null,
        h('a', { class: 'button secondary', href: '#/connections' }, t('timeline.back')),
      ),
    );
    if (!first && focused) document.getElementById(focused)?.focus();
  }

  /** The events as list items; attempts are numbered in order, a retry by hand opens the next run. */
  function items(events) {
    let attempts = 0;
    return events.flatMap((event, index) => {
      const previous = events[index - 1];
      const runStarts = previous && event.run > previous.run;
      if (event.type === 'attempt') attempts++;
      return [
        runStarts ? h('li', { class: 'event event--run' }, t('timeline.run', { run: event.run })) : null,
        eventItem(event, attempts, previous),
      ];
    });
  }

  function eventItem(event, number, previous) {
    const kind = event.type === 'attempt' ? event.outcome : event.type;
    const title =
      {
        accepted: () => t('timeline.accepted'),
        attempt: () =>
          t('timeline.attempt', { number, outcome: t(`timeline.outcome.${event.outcome}`, { name }) }),
        parked: () => t('timeline.parked'),
        resumed: () => t('timeline.resumed'),
        delivered: () => t('timeline.confirmed', { name }),
        failed: () => t('timeline.failed'),
      }[event.type]?.() ?? event.type;
    // A failure that repeats the refusal just above says only what it is, not the same words again.
    const repeated =
      event.type === 'failed' && previous?.targetMessage && previous.targetMessage === event.targetMessage;
    const explained =
      event.code && event.outcome !== 'delivered' && event.outcome !== 'awaiting-confirmation'
        ? explainError({
            prefix: 'deliveryError',
            code: event.code,
            targetMessage: repeated ? null : event.targetMessage,
            name,
            fallback: 'deliveryError.other',
            className: 'event-reason',
          })
        : null;
    return h(
      'li',
      { class: `event event--${tones[kind] ?? 'neutral'}` },
      h('time', { datetime: event.at }, formatMoment(event.at)),
      h('p', { class: 'event-title' }, title),
      explained,
      event.nextAttemptAt
        ? h('p', { class: 'details' }, t('timeline.nextAttempt', { date: formatMoment(event.nextAttemptAt) }))
        : null,
      event.receipt ? receipt(event.receipt) : null,
    );
  }

  function receipt(shown) {
    return h(
      'ul',
      { class: 'receipt' },
      shown.fileName ? h('li', {}, t('timeline.fileName', { fileName: shown.fileName })) : null,
      shown.remotePath ? h('li', {}, t('timeline.remotePath', { name, path: shown.remotePath })) : null,
      shown.remoteId ? h('li', {}, t('timeline.remoteId', { name, id: shown.remoteId })) : null,
      shown.reference && !shown.remoteId
        ? h('li', {}, t('timeline.remoteId', { name, id: shown.reference }))
        : null,
      shown.alreadyPresent ? h('li', {}, t('timeline.alreadyPresent')) : null,
    );
  }

  await refresh();
  const timer = setInterval(() => {
    if (!document.hidden && !ended.has(delivery.status)) refresh().catch(() => undefined);
  }, refreshMs);
  return { element: root, dispose: () => clearInterval(timer) };
}
