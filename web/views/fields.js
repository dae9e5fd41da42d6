import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

/**
 * A labelled input with its help text and a place for its error message, wired for screen readers
 * (`aria-describedby`, `aria-invalid`). `check: true` puts a checkbox before its label.
 */
export function control({ id, label, input, help = null, optional = false, check = false }) {
  input.id = id;
  const helpText = help ? h('p', { class: 'help', id: `${id}-help` }, help) : null;
  const errorText = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const describe = (withError) => [withError && errorText.id, helpText?.id].filter(Boolean).join(' ') || null;
  const labelElement = h(
    'label',
    { for: id },
    label,
    optional ? h('span', { class: 'optional' }, ` (${t('field.optional')})`) : null,
  );
  if (describe(false)) input.setAttribute('aria-describedby', describe(false));
  const element = h(
    'div',
    { class: check ? 'field field--check' : 'field' },
    check ? [input, labelElement] : [labelElement, input],
    errorText,
    helpText,
  );
  return {
    element,
    input,
    setError(message) {
      errorText.textContent = message ?? '';
      errorText.hidden = !message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      const describedBy = describe(Boolean(message));
      if (describedBy) input.setAttribute('aria-describedby', describedBy);
      else input.removeAttribute('aria-describedby');
    },
  };
}

/** The input a catalogue field descriptor asks for; secrets are masked and never prefilled. */
function inputFor(field, initial) {
  const common = { name: field.name, autocomplete: field.secret ? 'new-password' : 'off' };
  const shown = field.secret || initial === undefined || initial === null ? '' : String(initial);
  if (field.input === 'select') {
    return h(
      'select',
      common,
      field.required ? null : h('option', { value: '' }, t('field.choose')),
      (field.options ?? []).map((option) =>
        h('option', { value: option.value, selected: option.value === shown }, option.label),
      ),
    );
  }
  if (field.input === 'textarea') {
    return h('textarea', {
      ...common,
      rows: 5,
      spellcheck: 'false',
      class: field.secret ? 'secret' : null,
      value: shown,
    });
  }
  return h('input', {
    ...common,
    type: field.secret ? 'password' : field.input === 'number' ? 'text' : field.input,
    // A port or a number is typed, not spun: a text input with the numeric keyboard on phones.
    inputmode: field.input === 'number' ? 'numeric' : null,
    spellcheck: 'false',
    value: shown,
  });
}

/** A control for one catalogue field, prefilled with `initial` (else its default), read back for the API. */
export function descriptorField(field, initial) {
  const input = inputFor(field, initial ?? field.default);
  const made = control({
    id: `field-${field.name}`,
    label: field.label,
    input,
    help: field.help,
    optional: !field.required,
  });
  return {
    ...made,
    field,
    /** The value to send: undefined when empty (the API applies the default), numbers as numbers. */
    read() {
      const raw = input.value;
      if (raw.trim() === '') return undefined;
      if (field.secret) return raw;
      if (field.input === 'number' && /^\d+$/.test(raw.trim())) return Number(raw.trim());
      return raw.trim();
    },
  };
}

/**
 * The `values` object of a step from its field controls; null after marking the required fields left
 * empty (the API would refuse them too, in English: this says it in the page's language first).
 */
export function collectValues(controls) {
  const values = {};
  let complete = true;
  for (const item of controls) {
    const value = item.read();
    const missing = value === undefined && item.field.required && item.field.default === null;
    item.setError(missing ? t('field.required', { label: item.field.label }) : '');
    if (missing) complete = false;
    else if (value !== undefined) values[item.field.name] = value;
  }
  return complete ? values : null;
}
