import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { memoryPages, validateXML, type XMLFileInfo } from 'xmllint-wasm';
import { EINVOICING } from './fixtures';

/*
 * UBL 2.1 XSD validation with libxml2 compiled to WebAssembly (xmllint-wasm): no native xmllint
 * needed. The maindoc schema is passed as the schema and the common schemas are preloaded under
 * common/ so its relative imports (../common/...) resolve inside the in-memory file system.
 */

const XSD = path.join(EINVOICING, 'ubl-2.1-xsd');
const MAINDOC = {
  invoice: 'maindoc/UBL-Invoice-2.1.xsd',
  'credit-note': 'maindoc/UBL-CreditNote-2.1.xsd',
} as const;

export interface XsdDocument {
  name: string;
  kind: keyof typeof MAINDOC;
  xml: Buffer | string;
}

let commonSchemas: XMLFileInfo[] | undefined;

function preload(): XMLFileInfo[] {
  commonSchemas ??= readdirSync(path.join(XSD, 'common')).map((name) => ({
    fileName: `common/${name}`,
    contents: readFileSync(path.join(XSD, 'common', name)),
  }));
  return commonSchemas;
}

/**
 * Validates documents against the UBL 2.1 Invoice or CreditNote schema, one xmllint run per schema
 * (compiling the schema is the slow part). Returns the error messages per document name; an empty
 * list means valid.
 */
export async function validateUbl(documents: XsdDocument[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(documents.map((document) => [document.name, []]));
  for (const kind of Object.keys(MAINDOC) as (keyof typeof MAINDOC)[]) {
    const batch = documents.filter((document) => document.kind === kind);
    if (batch.length === 0) continue;
    // Neutral file names: xmllint-wasm refuses names that look like command-line options.
    const files = batch.map((document, index) => ({ fileName: `doc-${index}.xml`, contents: document.xml }));
    const outcome = await validateXML({
      xml: files,
      schema: [{ fileName: MAINDOC[kind], contents: readFileSync(path.join(XSD, MAINDOC[kind])) }],
      preload: preload(),
      maxMemoryPages: memoryPages.GiB,
    });
    for (const error of outcome.errors) {
      const index = files.findIndex((file) => file.fileName === error.loc?.fileName);
      const targets = index >= 0 ? [batch[index]!] : batch;
      for (const target of targets) result.get(target.name)!.push(error.rawMessage);
    }
    if (!outcome.valid && outcome.errors.length === 0) {
      for (const document of batch) result.get(document.name)!.push(outcome.rawOutput || 'invalid');
    }
  }
  return result;
}
