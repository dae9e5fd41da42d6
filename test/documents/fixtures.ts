import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The public e-invoicing corpus (UBL 2.1 schemas, official example invoices), read in place from
 * `../shared/einvoicing` beside the clone (CI lays it there), or from RELAIS_EINVOICING_DIR.
 * Third-party files are never copied into the project.
 */
export const EINVOICING = path.resolve(
  process.env.RELAIS_EINVOICING_DIR ?? path.join(__dirname, '..', '..', '..', 'shared', 'einvoicing'),
);
if (!existsSync(path.join(EINVOICING, 'examples'))) {
  throw new Error(
    `The public e-invoicing corpus is not at ${EINVOICING}: put shared/einvoicing beside the clone or set RELAIS_EINVOICING_DIR`,
  );
}
const EXAMPLES = path.join(EINVOICING, 'examples');
/** The project's own fixtures. */
const OWN_FIXTURES = path.join(__dirname, '..', 'fixtures');

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
  return readFileSync(path.join(OWN_FIXTURES, relative));
}
