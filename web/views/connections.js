import { badgeColour, h, initials } from '../lib/dom.js';
import { explainError } from '../lib/explain.js';
import { formatDate, t } from '../lib/i18n.js';
import { deliveryChart } from './delivery-chart.js';

/*
 * News without eating the tenant's request budget (the API limits requests per tenant, and the
 * platform's own calls count too): every few seconds one cheap look at the newest delivery, a full
 * reload only when it changed, while deliveries are under way, or now and then for the rest.
 */
const glanceMs = 3000;
const fullRefreshMs = 30_000;
const underWay = new Set(['queued', 'delivering']);
/** Ended setups nobody needs to see again. */
const hidden = new Set(['cancelled']);
const reauthorizable = new Set(['active', 'needs-reauth']);

/**
 * The tenant's connections with their status and last deliveries (status, a plain-language reason
 * when something went wrong, retry), and the actions each status allows.
 */
export async function connectionsView(ctx) {
  const list = h('div', { class: 'connection-list' });
  let confirming = null;
  let shown = '';
  let refreshedAt = 0;
  let moving = false;
  let newestSeen = '';
  /** The last answers of the API, drawn by draw(). */
  let fetched = null;
  /** The day each connection's chart has selected (by keyboard), kept across redraws. */
  const chartDays = new Map();

  /** The tenant's latest delivery as it stands now: any new delivery or status change alters it. */
  async function newestDelivery() {
    const [newest] = (await ctx.api.get('/v1/deliveries?order=newest&limit=1')).deliveries;
    return newest ? `${newest.id} ${newest.status} ${newest.updatedAt}` : '';
  }

  async function refresh(force = false) {
    const [integrations, { connections }, newest] = await Promise.all([
      ctx.catalogue(),
      ctx.api.get('/v1/connections'),
      newestDelivery(),
    ]);
    newestSeen = newest;
    const visible = connections
      .filter((connection) => !hidden.has(connection.status))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const [deliveries, stats] = await Promise.all([
      Promise.all(
        visible.map((connection) =>
          connection.status === 'setting-up'
            ? []
            : ctx.api
                .get(`/v1/deliveries?connectionId=${connection.id}&limit=5&order=newest`)
                .then((page) => page.deliveries),
        ),
      ),
      Promise.all(
        visible.map((connection) =>
          connection.status === 'setting-up'
            ? null
            : ctx.api.get(`/v1/connections/${connection.id}/stats?days=7`).then((answer) => answer.days),
        ),
      ),
    ]);
    refreshedAt = Date.now();
    moving = deliveries.some((list) => list.some((delivery) => underWay.has(delivery.status)));
    fetched = { integrations, visible, deliveries, stats };
    draw(force);
  }

  /** Draws what was fetched last; asking and un-asking "Disconnect?" needs no round trip. */
  function draw(force = false) {
    if (!fetched) return;
    const { integrations, visible, deliveries, stats } = fetched;
    // Redraw only on news: a redraw under the keyboard focus or a screen reader's cursor disturbs.
    const snapshot = JSON.stringify([visible, deliveries, stats, confirming]);
    if (!force && snapshot === shown) return;
    shown = snapshot;
    const focused = document.activeElement?.id;
    const nameOf = (connection) =>
      integrations.find((item) => item.id === connection.connectorId)?.name ?? connection.connectorId;
    list.replaceChildren(
      ...(visible.length
        ? visible.map((connection, index) =>
            card(connection, deliveries[index], stats[index], nameOf(connection)),
          )
        : [h('p', { class: 'empty' }, t('connections.empty'))]),
    );
    if (focused && document.activeElement?.id !== focused) document.getElementById(focused)?.focus();
  }

  function card(connection, deliveries, days, name) {
    const id = connection.id;
    return h(
      'article',
      { class: 'card connection', id: `connection-${id}`, 'aria-labelledby': `connection-${id}-name` },
      h(
        'div',
        { class: 'card-head' },
        h(
          'span',
          { class: `badge ${badgeColour(connection.connectorId)}`, 'aria-hidden': 'true' },
          initials(name),
        ),
        h('h2', { id: `connection-${id}-name` }, name),
        h(
          'span',
          { class: `status status--${connection.status}`, id: `connection-${id}-status` },
          t(`connectionStatus.${connection.status}`),
        ),
      ),
      h(
        'p',
        { class: 'meta' },
        t(`documentType.${connection.documentType}`),
        ' · ',
        connection.activatedAt
          ? t('connections.since', { date: formatDate(connection.activatedAt) })
          : t('connections.started', { date: formatDate(connection.createdAt) }),
      ),
      connection.status === 'needs-reauth'
        ? h(
            'div',
            { class: 'notice' },
            explainError({
              prefix: 'connections',
              code: 'needsReauth',
              targetMessage: connection.statusMessage,
              name,
              fallback: 'connections.needsReauth',
            }),
          )
        : connection.status !== 'active' && connection.statusMessage
          ? h('p', { class: 'notice' }, connection.statusMessage)
          : null,
      actions(connection, name),
      days
        ? deliveryChart({
            id: connection.id,
            name,
            days,
            selected: chartDays.get(connection.id),
            onSelect: (index) => chartDays.set(connection.id, index),
          })
        : null,
      connection.status === 'setting-up' ? null : deliveryList(connection, deliveries, name),
    );
  }

  function actions(connection, name) {
    const id = connection.id;
    const act = (work) => () => ctx.attempt(work);
    if (confirming === id) {
      return h(
        'div',
        { class: 'actions confirm', role: 'group', 'aria-labelledby': `disconnect-${id}-question` },
        h('p', { id: `disconnect-${id}-question` }, t('connections.disconnectQuestion', { name })),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            id: `confirm-disconnect-${id}`,
            onclick: act(async () => {
              await ctx.api.post(`/v1/connections/${id}/disconnect`);
              confirming = null;
              ctx.announce(t('connections.disconnected', { name }));
              await refresh(true);
              document.getElementById(`connection-${id}-name`)?.setAttribute('tabindex', '-1');
              document.getElementById(`connection-${id}-name`)?.focus();
            }),
          },
          t('connections.confirmDisconnect'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            id: `keep-${id}`,
            onclick: act(async () => {
              confirming = null;
              draw(true);
              document.getElementById(`disconnect-${id}`)?.focus();
            }),
          },
          t('connections.keep'),
        ),
      );
    }
    if (connection.status === 'setting-up') {
      return h(
        'div',
        { class: 'actions' },
        h(
          'a',
          { class: 'button primary', href: `#/setup/${id}`, id: `continue-${id}` },
          t('connections.continue'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            id: `cancel-${id}`,
            onclick: act(async () => {
              await ctx.api.post(`/v1/connections/${id}/cancel`);
              ctx.announce(t('connections.cancelled', { name }));
              await refresh(true);
            }),
          },
          t('connections.cancel'),
        ),
      );
    }
    if (!reauthorizable.has(connection.status)) return null;
    return h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: connection.status === 'needs-reauth' ? 'primary' : 'secondary',
          id: `reauthorize-${id}`,
          onclick: act(async () => {
            await ctx.api.post(`/v1/connections/${id}/reauthorize`);
            ctx.navigate(`#/setup/${id}`);
          }),
        },
        t('connections.reauthorize'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: `disconnect-${id}`,
          onclick: act(async () => {
            confirming = id;
            draw(true);
            document.getElementById(`confirm-disconnect-${id}`)?.focus();
          }),
        },
        t('connections.disconnect'),
      ),
    );
  }

  function deliveryList(connection, deliveries, name) {
    const headingId = `connection-${connection.id}-deliveries`;
    return h(
      'section',
      { class: 'deliveries', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, t('connections.deliveries')),
      deliveries.length === 0
        ? h('p', { class: 'empty' }, t('connections.noDeliveries'))
        : h(
            'ul',
            {},
            deliveries.map((delivery) => deliveryItem(delivery, name)),
          ),
    );
  }

  function deliveryItem(delivery, name) {
    const id = delivery.id;
    const where = delivery.receipt?.remotePath ?? delivery.receipt?.remoteId;
    const troubled = delivery.lastError && delivery.status !== 'delivered';
    return h(
      'li',
      { class: 'delivery', id: `delivery-${id}` },
      h(
        'div',
        { class: 'delivery-head' },
        h(
          'span',
          { class: `status status--${delivery.status}`, id: `delivery-${id}-status` },
          t(`deliveryStatus.${delivery.status}`),
        ),
        h('time', { datetime: delivery.createdAt }, formatDate(delivery.createdAt)),
      ),
      delivery.status === 'delivered' && where
        ? h('p', { class: 'where' }, t('connections.deliveredTo', { where }))
        : null,
      delivery.warnings?.length
        ? h(
            'div',
            { class: 'warnings', id: `delivery-${id}-warnings` },
            h('p', {}, t('connections.warnings')),
            h(
              'ul',
              {},
              delivery.warnings.map((warning) => h('li', {}, `${warning.rule}: ${warning.message}`)),
            ),
          )
        : null,
      // The reason in the reader's language; beside it, the target's own words.
      troubled
        ? explainError({
            prefix: 'deliveryError',
            code: delivery.lastErrorKind,
            message: delivery.lastError,
            targetMessage: delivery.targetMessage,
            name,
            fallback: 'deliveryError.other',
            className: 'delivery-error',
          })
        : null,
      delivery.status === 'retrying' && delivery.nextAttemptAt
        ? h(
            'p',
            { class: 'details' },
            t('connections.nextAttempt', { date: formatDate(delivery.nextAttemptAt) }),
          )
        : null,
      delivery.attempts > 1
        ? h('p', { class: 'details' }, t('connections.attempts', { count: delivery.attempts }))
        : null,
      h(
        'a',
        {
          href: `#/delivery/${id}`,
          id: `history-${id}`,
          class: 'history-link',
          'aria-label': t('connections.historyOf', { date: formatDate(delivery.createdAt) }),
        },
        t('connections.history'),
      ),
      delivery.status === 'failed'
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              id: `retry-${id}`,
              'aria-describedby': `delivery-${id}-status`,
              onclick: () =>
                ctx.attempt(async () => {
                  await ctx.api.post(`/v1/deliveries/${id}/retry`);
                  ctx.announce(t('connections.retried'));
                  await refresh(true);
                }),
            },
            t('connections.retry'),
          )
        : null,
    );
  }

  await refresh(true);
  async function glance() {
    if (moving || Date.now() - refreshedAt > fullRefreshMs) return refresh();
    if ((await newestDelivery()) !== newestSeen) await refresh();
  }
  const timer = setInterval(() => {
    if (!document.hidden) glance().catch(() => undefined);
  }, glanceMs);
  const element = h(
    'div',
    { class: 'connections' },
    h('h1', { tabindex: '-1' }, t('connections.title')),
    h('p', { class: 'lead' }, t('connections.intro')),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button primary', href: '#/new' }, t('connections.new')),
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => ctx.attempt(() => refresh(true)) },
        t('connections.refresh'),
      ),
    ),
    list,
  );
  return { element, dispose: () => clearInterval(timer) };
}
