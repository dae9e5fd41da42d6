import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Relais' version, from package.json: named in the UBL.BE reference of the documents it renders. */
export const relaisVersion: string = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'),
).version;
