import { h } from './dom.js';
import { hasText, t } from './i18n.js';

/**
 * An error as a person reads it: its code said in the reader's language (`<prefix>.<code>`), and beside
 * it the target's own words as they came ("Dropbox said: …"). The API answers codes and leaves the
 * sentences to the app; a code the app has no text for gets `fallback`, with the API's message as details.
 */
export function explainError({ prefix, code, message, targetMessage, name, fallback, className }) {
  const key = `${prefix}.${code}`;
  const known = Boolean(code) && hasText(key);
  let beside = null;
  if (targetMessage) beside = t('error.targetSaid', { name, message: targetMessage });
  else if (!known && message) beside = t('error.details', { message });
  return [
    h('p', { class: className ?? 'error-text' }, t(known ? key : fallback, { name })),
    beside ? h('p', { class: 'details target-said' }, beside) : null,
  ];
}
