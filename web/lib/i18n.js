import en from '../strings/en.js';
import fr from '../strings/fr.js';
import nl from '../strings/nl.js';

const dictionaries = { fr, nl, en };
/** Each language's own name, so a reader finds theirs whatever the page's language. */
export const languages = [
  { code: 'fr', name: 'Français' },
  { code: 'nl', name: 'Nederlands' },
  { code: 'en', name: 'English' },
];
/** Belgian dates for fr and nl (the platform's customers), British for en (day before month). */
const dateLocales = { fr: 'fr-BE', nl: 'nl-BE', en: 'en-GB' };
const storageKey = 'relais.language';

let current = detectLanguage();

/** The language chosen earlier in this browser, else the first of the browser's languages we speak. */
function detectLanguage() {
  const chosen = localStorage.getItem(storageKey);
  if (chosen && chosen in dictionaries) return chosen;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const code = String(tag).slice(0, 2).toLowerCase();
    if (code in dictionaries) return code;
  }
  return 'en';
}

export function language() {
  return current;
}

export function setLanguage(code) {
  if (!(code in dictionaries)) return;
  current = code;
  localStorage.setItem(storageKey, code);
  document.documentElement.lang = code;
}

/** The text for `key` in the current language, with `{name}` placeholders filled from `values`. */
export function t(key, values = {}) {
  const text = dictionaries[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

export function formatDate(iso) {
  return new Intl.DateTimeFormat(dateLocales[current], { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

/** A moment to the second: a delivery's attempts can lie seconds apart. */
export function formatMoment(iso) {
  return new Intl.DateTimeFormat(dateLocales[current], { dateStyle: 'medium', timeStyle: 'medium' }).format(
    new Date(iso),
  );
}

/** A day the API counts in UTC (YYYY-MM-DD), short ("Fri 5") or long ("Friday 5 December"). */
export function formatDay(date, style = 'short') {
  const options =
    style === 'short'
      ? { weekday: 'short', day: 'numeric' }
      : { weekday: 'long', day: 'numeric', month: 'long' };
  return new Intl.DateTimeFormat(dateLocales[current], { ...options, timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

document.documentElement.lang = current;

/** Whether the app has its own text for `key` (e.g. an explanation of one delivery error kind). */
export const hasText = (key) => key in en;
