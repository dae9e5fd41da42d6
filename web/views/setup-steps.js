import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { collectValues, control, descriptorField } from './fields.js';

/*
 * One renderer per setup step. Each gets the connection, its catalogue entry and the values known so
 * far (settings of the connection, or of the setup this one restarts), and returns what the setup
 * frame shows and sends:
 *   title, intro, body (nodes), submitLabel, working (shown while the API answers),
 *   collect() -> the step's request body, or null when a field must be corrected first,
 *   controls: { [path of the API's error details]: control } so a 400 lands next to its field.
 */

const stepFields = (integration, step) => integration.fields.filter((field) => field.step === step);

function fieldControls(integration, step, values) {
  return stepFields(integration, step).map((field) => descriptorField(field, values[field.name]));
}

const byPath = (controls) => Object.fromEntries(controls.map((item) => [`values.${item.field.name}`, item]));

function format({ integration, values }) {
  const chosen = values.format ?? integration.formats[0]?.id;
  const errorText = h('p', { class: 'field-error', id: 'format-error', hidden: true });
  const radios = integration.formats.map((option) =>
    h(
      'div',
      { class: 'choice' },
      h('input', {
        type: 'radio',
        name: 'format',
        id: `format-${option.id}`,
        value: option.id,
        checked: option.id === chosen,
      }),
      h('label', { for: `format-${option.id}` }, option.label),
    ),
  );
  const group = h(
    'fieldset',
    { 'aria-describedby': 'format-error' },
    h('legend', {}, t('format.legend')),
    radios,
  );
  const groupControl = {
    input: radios[0]?.querySelector('input'),
    setError(message) {
      errorText.textContent = message ?? '';
      errorText.hidden = !message;
    },
  };
  return {
    title: t('format.title'),
    intro: t('format.intro'),
    body: [group, errorText],
    collect: () => ({ format: group.querySelector('input:checked')?.value }),
    controls: { format: groupControl },
  };
}

function credentials({ integration, values }) {
  const controls = fieldControls(integration, 'credentials', values);
  const addresses = integration.outboundIpAddresses ?? [];
  const allowList =
    addresses.length > 0
      ? h(
          'aside',
          { class: 'notice', 'aria-labelledby': 'ips-title' },
          h('h3', { id: 'ips-title' }, t('credentials.ipsTitle')),
          h('p', {}, t('credentials.ipsText')),
          h(
            'ul',
            { class: 'addresses' },
            addresses.map((address) => h('li', {}, h('code', {}, address))),
          ),
        )
      : null;
  return {
    title: t('credentials.title'),
    intro: t('credentials.intro', { name: integration.name }),
    body: [allowList, controls.map((item) => item.element)],
    working: t('setup.checking', { name: integration.name }),
    collect: () => {
      const collected = collectValues(controls);
      return collected && { values: collected };
    },
    controls: byPath(controls),
  };
}

function oauth({ integration, values, connection }) {
  const controls = fieldControls(integration, 'oauth', values);
  return {
    title: t('oauth.title', { name: integration.name }),
    intro: t('oauth.intro', { name: integration.name }),
    body: controls.map((item) => item.element),
    submitLabel: t('oauth.button', { name: integration.name }),
    working: t('oauth.leaving', { name: integration.name }),
    collect: () => {
      const collected = collectValues(controls);
      // The target sends the browser back here: this tab resumes the setup where it stands.
      const returnUrl = `${location.origin}${location.pathname}#/setup/${connection.id}`;
      return collected && { values: collected, returnUrl };
    },
    controls: byPath(controls),
  };
}

function administration({ integration, values, connection }) {
  const offered = connection.setup.administrations ?? [];
  const allowAll = integration.administration?.allowAllCurrentAndFuture === true;
  const previous = values.administrationIds;
  const chosen = previous === 'all' || (previous === undefined && allowAll) ? 'all' : previous?.[0];
  const select = h(
    'select',
    { name: 'administration' },
    allowAll ? null : h('option', { value: '' }, t('field.choose')),
    allowAll ? h('option', { value: 'all', selected: chosen === 'all' }, t('administration.all')) : null,
    offered.map((item) =>
      h(
        'option',
        { value: item.id, selected: item.id === chosen },
        item.code ? `${item.name} (${item.code})` : item.name,
      ),
    ),
  );
  const chooser = control({
    id: 'administration',
    label: t('administration.label'),
    input: select,
    help: allowAll ? t('administration.allHelp') : null,
  });
  // A select without options among the step's fields is the choice above itself (made from the target's list).
  const extra = stepFields(integration, 'administration')
    .filter((field) => !(field.input === 'select' && !field.options))
    .map((field) => descriptorField(field, values[field.name]));
  return {
    title: t('administration.title'),
    intro: t('administration.intro', { name: integration.name }),
    body: [
      offered.length === 0
        ? h('p', { class: 'notice' }, t('administration.none', { name: integration.name }))
        : null,
      chooser.element,
      extra.map((item) => item.element),
    ],
    collect: () => {
      const value = select.value;
      chooser.setError(value ? '' : t('field.required', { label: t('administration.label') }));
      const collected = collectValues(extra);
      if (!value || !collected) return null;
      return { administrationIds: value === 'all' ? 'all' : [value], values: collected };
    },
    controls: { administrationIds: chooser, ...byPath(extra) },
  };
}

const acceptedByKey = 'relais.acceptedBy';

function terms({ integration, values }) {
  const accept = control({
    id: 'terms-accept',
    label: t('terms.accept', { version: integration.termsVersion }),
    input: h('input', { type: 'checkbox', name: 'accepted' }),
    check: true,
  });
  const acceptedBy = control({
    id: 'accepted-by',
    label: t('terms.acceptedBy'),
    input: h('input', {
      type: 'text',
      name: 'acceptedBy',
      autocomplete: 'email',
      value: localStorage.getItem(acceptedByKey) ?? '',
    }),
    help: t('terms.acceptedByHelp'),
  });
  return {
    title: t('terms.title'),
    intro: t('terms.intro'),
    body: [
      // A non-blocking remark of the previous step (Octopus: a mailbox outside its usual domain).
      typeof values.warning === 'string' ? h('p', { class: 'notice', role: 'note' }, values.warning) : null,
      accept.element,
      acceptedBy.element,
    ],
    submitLabel: t('setup.connect'),
    collect: () => {
      const who = acceptedBy.input.value.trim();
      accept.setError(accept.input.checked ? '' : t('terms.mustAccept'));
      acceptedBy.setError(who ? '' : t('field.required', { label: t('terms.acceptedBy') }));
      if (!accept.input.checked || !who) return null;
      localStorage.setItem(acceptedByKey, who);
      return { accepted: true, termsVersion: integration.termsVersion, acceptedBy: who };
    },
    controls: { accepted: accept, acceptedBy },
  };
}

export const stepRenderers = { format, credentials, oauth, administration, terms };
