import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Copies of /work/shared/einvoicing (see test/fixtures/einvoicing/README.md), so the project is self-contained. */
export const FIXTURES = path.resolve(__dirname, '../fixtures/einvoicing');
const EXAMPLES = path.join(FIXTURES, 'examples');

export interface Example {
  /** "peppol-bis3/base-example.xml" */
  id: string;
  group: string;
  bytes: Buffer;
}

export function listExamples(): Example[] {
  return readdirSync(EXAMPLES)
    .sort()
    .flatMap((group) =>
      readdirSync(path.join(EXAMPLES, group))
        .filter((name) => name.endsWith('.xml'))
        .sort()
        .map((name) => ({ id: `${group}/${name}`, group, bytes: readExample(`${group}/${name}`) })),
    );
}

export function readExample(id: string): Buffer {
  return readFileSync(path.join(EXAMPLES, id));
}

export function readFixture(relative: string): Buffer {
  return readFileSync(path.join(FIXTURES, relative));
}
