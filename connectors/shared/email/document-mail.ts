/*
 * The mail one delivery becomes, for mailbox targets: a subject and a short text that name the document
 * (a person sorting the mailbox, or the target's inbox list, sees what it is), the rendered XML, and the
 * PDF where the target wants it too.
 */
import type { DeliveryInput } from '../../types';
import type { DocumentMail } from './send';

/** "Purchase invoice INV-7 from Acme NV": the document's type, number and supplier. */
export function documentTitle(input: Pick<DeliveryInput, 'documentType' | 'document'>): string {
  const side = input.documentType === 'sales-invoice' ? 'Sales' : 'Purchase';
  const kind = input.document.kind === 'credit-note' ? 'credit note' : 'invoice';
  return oneLine(`${side} ${kind} ${input.document.number} from ${input.document.supplierName}`);
}

/**
 * The mail for `input` to `to`: the XML as `input.fileName`, and with `withPdf` the PDF beside it
 * under the same name (`.pdf`). `input.pdf()` stores what it makes, so retries attach the same bytes.
 */
export async function documentMailOf(
  input: DeliveryInput,
  options: { to: string; cc?: string; withPdf: boolean; subject?: string },
): Promise<DocumentMail> {
  const title = documentTitle(input);
  const { document } = input;
  const attachments: DocumentMail['attachments'] = [
    { filename: input.fileName, content: input.content, contentType: input.contentType },
  ];
  if (options.withPdf) {
    attachments.push({
      filename: input.fileName.replace(/\.xml$/i, '') + '.pdf',
      content: await input.pdf(),
      contentType: 'application/pdf',
    });
  }
  const party = (name: string, vat: string | undefined) => (vat ? `${name} (${vat})` : name);
  const text = [
    `${title}.`,
    oneLine(
      `Issued on ${document.issueDate} by ${party(document.supplierName, document.supplierVat)} ` +
        `to ${party(document.customerName, document.customerVat)}.`,
    ),
    options.withPdf
      ? 'Attached: the e-invoice (XML) and the invoice as PDF.'
      : 'Attached: the e-invoice (XML).',
    '',
    'Sent by Relais, once per document.',
  ].join('\n');
  return {
    deliveryId: input.deliveryId,
    to: options.to,
    ...(options.cc ? { cc: options.cc } : {}),
    subject: options.subject ?? title,
    text,
    attachments,
  };
}

/** Supplier names come from the invoice: no line breaks or control characters into a header. */
function oneLine(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}
