/** Properties that must be set as such: as attributes they only give the initial state. */
const liveProperties = new Set(['value', 'checked', 'selected', 'disabled', 'hidden']);

/**
 * Creates an element. `props`: `onclick`-style keys add listeners, `class` sets the class name, `value`,
 * `checked`, `selected`, `disabled` and `hidden` are set as properties, everything else as attributes
 * (skipped when null, undefined or false). Children are nodes, strings (as text: never parsed as HTML)
 * or arrays of them; null and false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (liveProperties.has(name)) element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...flatten(children));
  return element;
}

/** Replaces an element's children, taking the same kinds of children as `h`. */
export function fill(element, ...children) {
  element.replaceChildren(...flatten(children));
}

function flatten(children) {
  return children
    .flat(Infinity)
    .filter((child) => child !== null && child !== undefined && child !== false)
    .map((child) => (child instanceof Node ? child : String(child)));
}

/** A visually hidden text for screen readers (e.g. "(current step)" next to a highlighted step). */
export const forScreenReaders = (text) => h('span', { class: 'visually-hidden' }, text);

/** One to two letters standing in for a logo: the first letters of the first two words. */
export function initials(name) {
  const words = name.split(/[\s-]+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : name.slice(0, 2)).toUpperCase();
}

/** A stable colour (one of six classes) per id, so each service keeps its badge colour. */
export function badgeColour(id) {
  let sum = 0;
  for (const char of id) sum = (sum * 31 + char.charCodeAt(0)) % 997;
  return `badge--c${sum % 6}`;
}
