import { h } from '../lib/dom.js';
import { formatDay, t } from '../lib/i18n.js';

const svgNs = 'http://www.w3.org/2000/svg';
const series = ['delivered', 'failed', 'waiting'];
const barWidth = 32;
const gap = 18;
const plotHeight = 64;
const labelHeight = 20;

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/**
 * A connection's deliveries of the last days (GET /v1/connections/:id/stats) as stacked bars: plain SVG
 * whose colours come from styles.css (nothing inline, as the page's policy wants). One tab stop: the arrow
 * keys, Home and End move between days, each read out in words and shown in words below the bars.
 * `selected` is the day's index to start from (kept across redraws by the caller, told by `onSelect`).
 */
export function deliveryChart({ id, name, days, selected, onSelect }) {
  const max = Math.max(1, ...days.map((day) => day.delivered + day.failed + day.waiting));
  const width = days.length * (barWidth + gap) - gap;
  const captionId = `chart-${id}-caption`;
  const helpId = `chart-${id}-help`;
  const caption = h('p', { class: 'chart-caption', id: captionId, 'aria-hidden': 'true' });
  let current = Math.min(selected ?? days.length - 1, days.length - 1);

  const describe = (day) => t('chart.day', { ...day, date: formatDay(day.date, 'long') });
  const columns = days.map((day, index) => {
    const x = index * (barWidth + gap);
    let top = plotHeight;
    const bars = series.map((kind) => {
      const height = (day[kind] / max) * plotHeight;
      top -= height;
      return height > 0
        ? svg('rect', { class: `chart-bar chart-bar--${kind}`, x, y: top, width: barWidth, height })
        : null;
    });
    const column = svg(
      'g',
      {
        class: 'chart-day',
        id: `chart-${id}-${day.date}`,
        tabindex: index === current ? 0 : -1,
        role: 'img',
        'aria-label': describe(day),
      },
      svg('title', {}, describe(day)),
      svg('rect', { class: 'chart-frame', x: x - 3, y: 0, width: barWidth + 6, height: plotHeight + 1 }),
      ...bars.filter(Boolean),
      svg('rect', { class: 'chart-base', x, y: plotHeight, width: barWidth, height: 1 }),
      svg(
        'text',
        {
          class: 'chart-label',
          x: x + barWidth / 2,
          y: plotHeight + labelHeight - 4,
          'text-anchor': 'middle',
        },
        formatDay(day.date),
      ),
    );
    const show = () => {
      caption.textContent = describe(day);
    };
    column.addEventListener('focus', () => {
      current = index;
      onSelect?.(index);
      show();
    });
    column.addEventListener('mouseenter', show);
    return column;
  });

  const plot = svg(
    'svg',
    {
      class: 'chart-plot',
      role: 'group',
      'aria-label': t('chart.label', { name }),
      'aria-describedby': helpId,
      viewBox: `-4 0 ${width + 8} ${plotHeight + labelHeight}`,
      width: width + 8,
      height: plotHeight + labelHeight,
    },
    ...columns,
  );
  plot.addEventListener('keydown', (event) => {
    const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: days.length - 1 }[
      event.key
    ];
    if (next === undefined || next < 0 || next >= days.length) return;
    event.preventDefault();
    columns[current].setAttribute('tabindex', '-1');
    columns[next].setAttribute('tabindex', '0');
    columns[next].focus();
  });
  plot.addEventListener('mouseleave', () => {
    caption.textContent = describe(days[current]);
  });
  caption.textContent = describe(days[current]);

  return h(
    'section',
    { class: 'chart', 'aria-labelledby': `chart-${id}-title` },
    h('h3', { id: `chart-${id}-title` }, t('chart.title')),
    plot,
    caption,
    h('p', { class: 'visually-hidden', id: helpId }, t('chart.help')),
    h(
      'ul',
      { class: 'chart-legend' },
      series.map((kind) =>
        h(
          'li',
          {},
          h('span', { class: `swatch swatch--${kind}`, 'aria-hidden': 'true' }),
          t(`chart.${kind}`),
        ),
      ),
    ),
  );
}
