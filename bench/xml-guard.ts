/*
 * How the XML guard (documents/xml-guard.ts) scales with hostile input: prints milliseconds for input
 * sizes 1x, 2x and 4x of each shape, and whether the guard accepted or refused it. A linear guard
 * roughly doubles per step; a quadratic one quadruples. Prints only: no assertion on wall time.
 *
 *   npx tsx bench/xml-guard.ts            # the default sizes
 *   npx tsx bench/xml-guard.ts --quick    # a quarter of them
 */
import { performance } from 'node:perf_hooks';
import { assertWellFormed } from '../documents/xml-guard';
import { elementsWithAttributes, manyAttributes, manyNamespaces } from '../test/documents/hostile-xml';

interface Shape {
  name: string;
  build: (scale: number) => string;
}

/** No caps at all: what the scanning itself costs, whatever the limits are set to. */
const NO_LIMITS = { attributesPerElement: Infinity, namespacesPerElement: Infinity };

function main(): void {
  const quick = process.argv.includes('--quick');
  const unit = quick ? 0.25 : 1;
  const hostile: Shape[] = [
    { name: '10,000 attributes on one element', build: (k) => manyAttributes(10_000 * k * unit) },
    {
      name: '2,500 namespace prefixes × 2,500 elements',
      build: (k) => manyNamespaces(2_500 * k * unit, 2_500 * k * unit),
    },
  ];
  const accepted: Shape[] = [
    { name: '400 elements × 250 attributes', build: (k) => elementsWithAttributes(400 * k * unit, 250) },
    { name: '100 prefixes × 10,000 elements', build: (k) => manyNamespaces(100, 10_000 * k * unit) },
  ];
  // Warm the regular expressions and the JIT up on something small first.
  for (let i = 0; i < 20; i++) guard(elementsWithAttributes(50, 20));
  process.stdout.write('With the limits (the hostile shapes are refused at the cap):\n');
  for (const shape of [...hostile, ...accepted]) measure(shape);
  process.stdout.write('Without any limit (the hostile shapes scanned to the end):\n');
  for (const shape of hostile) measure(shape, NO_LIMITS);
}

function measure(shape: Shape, limits?: typeof NO_LIMITS): void {
  process.stdout.write(`  ${shape.name}\n`);
  for (const scale of [1, 2, 4]) {
    const xml = shape.build(scale);
    // The fastest of a few runs (at most about a second of them): the machine is shared.
    let best = Infinity;
    let outcome = '';
    let spent = 0;
    for (let run = 0; run < 5 && spent < 1000; run++) {
      const started = performance.now();
      outcome = guard(xml, limits);
      const ms = performance.now() - started;
      spent += ms;
      best = Math.min(best, ms);
    }
    const size = `${(xml.length / 1024).toFixed(0)} KB`.padStart(8);
    process.stdout.write(`    ${scale}x ${size} ${best.toFixed(1).padStart(9)} ms  ${outcome}\n`);
  }
}

function guard(xml: string, limits?: typeof NO_LIMITS): string {
  try {
    if (limits) assertWellFormed(xml, limits);
    else assertWellFormed(xml);
    return 'accepted';
  } catch (error) {
    return `refused: ${(error as Error).message.slice(0, 100)}`;
  }
}

main();
