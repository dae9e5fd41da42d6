import { ConnectorError } from '../errors';
import type { Credentials, DocumentType, Settings } from '../types';
import type { WingsAccess } from './client';

/** The password (from the encrypted authorization) with the user name and internal number from the settings. */
export function wingsAccess(settings: Settings, credentials: Credentials): WingsAccess {
  const password = credentials.kind === 'secrets' ? credentials.secrets.password : undefined;
  const internalNumber = Number(settings.internalNumber);
  if (!password || typeof settings.username !== 'string' || !Number.isSafeInteger(internalNumber)) {
    throw new ConnectorError(
      'misconfigured',
      'This Wings Online connection lacks its user name, password or internal number. Enter the Wings details again.',
    );
  }
  return { username: settings.username, password, internalNumber };
}

/** Sales invoices are booked in the receivables journal, purchase invoices in the payables journal. */
export function journalFor(settings: Settings, documentType: DocumentType): string {
  const field = documentType === 'sales-invoice' ? 'receivablesJournal' : 'payablesJournal';
  const journal = settings[field];
  if (typeof journal !== 'string' || !journal.trim()) {
    throw new ConnectorError(
      'misconfigured',
      `This Wings Online connection has no ${documentType === 'sales-invoice' ? 'accounts receivable' : 'accounts payable'} journal. Enter the Wings details again.`,
    );
  }
  return journal.trim();
}
