import type { OutputFormat } from './ubl-flavour';
import { loadUbl, textAt } from './ubl-dom';

/** An official rule the delivered document does not meet, said plainly; the delivery still goes ahead. */
export interface FormatWarning {
  rule: string;
  message: string;
}

/**
 * Peppol BIS 3 rules a document can fail while still being a correct invoice for an accounting package:
 * the target is not the Peppol network, so Relais delivers and says which rules the file does not meet.
 * Other formats have no such rules here (UBL.BE's own rules are met by rendering or refused at intake).
 */
export function formatWarnings(rendered: Buffer | string, format: OutputFormat): FormatWarning[] {
  if (format !== 'peppol-bis-3') return [];
  const { root } = loadUbl(rendered);
  const warnings: FormatWarning[] = [];
  if (!textAt(root, 'cac:AccountingSupplierParty', 'cac:Party', 'cbc:EndpointID')) {
    warnings.push({
      rule: 'PEPPOL-EN16931-R020',
      message: "The seller's electronic address (EndpointID) is missing: Peppol BIS 3 requires it.",
    });
  }
  if (!textAt(root, 'cac:AccountingCustomerParty', 'cac:Party', 'cbc:EndpointID')) {
    warnings.push({
      rule: 'PEPPOL-EN16931-R010',
      message: "The buyer's electronic address (EndpointID) is missing: Peppol BIS 3 requires it.",
    });
  }
  if (!textAt(root, 'cbc:BuyerReference') && !textAt(root, 'cac:OrderReference', 'cbc:ID')) {
    warnings.push({
      rule: 'PEPPOL-EN16931-R003',
      message:
        'Neither a buyer reference nor an order reference is given: Peppol BIS 3 requires one of them.',
    });
  }
  return warnings;
}
