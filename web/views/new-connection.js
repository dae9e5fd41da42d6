import { badgeColour, h, initials } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

export const documentTypes = ['purchase-invoice', 'sales-invoice'];

/** First screen of the hub: which documents the new connection carries. */
export async function chooseTypeView() {
  const element = h(
    'div',
    { class: 'new-connection' },
    h('h1', { tabindex: '-1' }, t('new.title')),
    h('p', { class: 'lead' }, t('new.intro')),
    h(
      'ul',
      { class: 'choices' },
      documentTypes.map((type) =>
        h(
          'li',
          {},
          h(
            'a',
            { class: 'choice-card', href: `#/new/${type}`, id: `type-${type}` },
            h('strong', {}, t(`documentType.${type}`)),
            h('span', {}, t(`documentType.${type}.help`)),
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button secondary', href: '#/connections' }, t('new.back')),
    ),
  );
  return { element };
}

/** Lower case without accents: "Exact" finds "exact", "Dépose" finds "depose". */
const folded = (text) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** Second screen: the services that take this document type, with a search box; picking one starts its setup. */
export async function integrationsView(ctx, documentType) {
  // Those that can be set up first; the others stay listed, so nobody wonders whether theirs exists.
  const integrations = [...(await ctx.catalogue(documentType))].sort(
    (a, b) => Number(b.available) - Number(a.available),
  );
  const search = h('input', {
    type: 'search',
    id: 'integration-search',
    autocomplete: 'off',
    'aria-describedby': 'integration-search-help',
    'aria-controls': 'integration-list',
  });
  const count = h('p', { class: 'count', role: 'status', id: 'integration-count' });
  const problem = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const items = integrations.map((integration) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: 'integration',
        id: `integration-${integration.id}`,
        disabled: !integration.available,
        'aria-describedby': `integration-${integration.id}-summary`,
        onclick: () => start(integration, button),
      },
      h(
        'span',
        { class: `badge ${badgeColour(integration.id)}`, 'aria-hidden': 'true' },
        initials(integration.name),
      ),
      h(
        'span',
        { class: 'integration-text' },
        h('strong', {}, integration.name),
        h('span', { id: `integration-${integration.id}-summary` }, integration.summary),
        integration.available ? null : h('em', {}, t('integrations.unavailable')),
        integration.assumedContract ? h('em', { class: 'assumed' }, t('integrations.assumedContract')) : null,
      ),
    );
    const text = folded(`${integration.name} ${integration.displayName} ${integration.summary}`);
    return { element: h('li', {}, button), text };
  });
  const list = h(
    'ul',
    { class: 'integrations', id: 'integration-list' },
    items.map((item) => item.element),
  );

  function filter() {
    const query = folded(search.value.trim());
    let shown = 0;
    for (const item of items) {
      item.element.hidden = !item.text.includes(query);
      if (!item.element.hidden) shown += 1;
    }
    if (shown === 0) count.textContent = t('integrations.none', { query: search.value.trim() });
    else
      count.textContent =
        shown === 1 ? t('integrations.countOne') : t('integrations.count', { count: shown });
  }
  search.addEventListener('input', filter);
  filter();

  async function start(integration, button) {
    for (const item of list.querySelectorAll('button')) item.disabled = true;
    problem.hidden = true;
    count.textContent = t('integrations.starting', { name: integration.name });
    try {
      const created = await ctx.api.post('/v1/connections', { connectorId: integration.id, documentType });
      ctx.navigate(`#/setup/${created.connection.id}`);
    } catch (error) {
      for (const [index, item] of list.querySelectorAll('button').entries())
        item.disabled = !integrations[index].available;
      problem.textContent = error.message;
      problem.hidden = false;
      button.focus();
      filter();
    }
  }

  const element = h(
    'div',
    { class: 'new-connection' },
    h('h1', { tabindex: '-1' }, t('integrations.title')),
    h('p', { class: 'lead' }, t('integrations.for', { documentType: t(`documentType.${documentType}`) })),
    h(
      'div',
      { class: 'field search' },
      h('label', { for: 'integration-search' }, t('integrations.search')),
      search,
      h('p', { class: 'help', id: 'integration-search-help' }, t('integrations.searchHelp')),
    ),
    count,
    problem,
    list,
    h('div', { class: 'actions' }, h('a', { class: 'button secondary', href: '#/new' }, t('new.back'))),
  );
  return { element };
}
