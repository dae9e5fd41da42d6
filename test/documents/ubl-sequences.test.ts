import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { create } from 'xmlbuilder2';
import { SEQUENCES } from '../../documents/ubl-sequences';
import { EINVOICING } from './fixtures';

interface XsdNode {
  nodeType: number;
  localName: string;
  firstChild: XsdNode | null;
  nextSibling: XsdNode | null;
  getAttribute(name: string): string | null;
}

/** The element refs of a named complexType, in schema order, read from the UBL 2.1 XSD files. */
function sequenceOf(file: string, typeName: string): string[] {
  const schema = create(readFileSync(path.join(EINVOICING, 'ubl-2.1-xsd', file), 'utf8'))
    .node as unknown as XsdNode;
  const refs: string[] = [];
  let found = false;
  const walk = (node: XsdNode, inType: boolean): void => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== 1) continue;
      const isType = child.localName === 'complexType' && child.getAttribute('name') === typeName;
      if (isType) found = true;
      if ((inType || isType) && child.localName === 'element' && child.getAttribute('ref'))
        refs.push(child.getAttribute('ref')!);
      walk(child, inType || isType);
    }
  };
  walk(schema, false);
  assert.ok(found, `${typeName} in ${file}`);
  return refs;
}

test('the element orders documents/ inserts by are exactly those of the UBL 2.1 schema', () => {
  const common = 'common/UBL-CommonAggregateComponents-2.1.xsd';
  const sources: Record<keyof typeof SEQUENCES, [string, string]> = {
    Invoice: ['maindoc/UBL-Invoice-2.1.xsd', 'InvoiceType'],
    CreditNote: ['maindoc/UBL-CreditNote-2.1.xsd', 'CreditNoteType'],
    DocumentReference: [common, 'DocumentReferenceType'],
    Attachment: [common, 'AttachmentType'],
    DeliveryTerms: [common, 'DeliveryTermsType'],
    TaxCategory: [common, 'TaxCategoryType'],
    TaxTotal: [common, 'TaxTotalType'],
    InvoiceLine: [common, 'InvoiceLineType'],
    CreditNoteLine: [common, 'CreditNoteLineType'],
    Party: [common, 'PartyType'],
  };
  assert.deepEqual(Object.keys(sources).sort(), Object.keys(SEQUENCES).sort());
  for (const [name, [file, type]] of Object.entries(sources)) {
    assert.deepEqual([...SEQUENCES[name as keyof typeof SEQUENCES]], sequenceOf(file, type), name);
  }
});
