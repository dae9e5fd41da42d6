/*
 * Catalogue pieces several descriptors share, so the same choice reads the same everywhere:
 * the output formats, the labels of the usual login fields, the terms version, the document limit.
 */
import type { Localized, OutputFormat } from '../types';

/** The help page's way of showing a sequence of steps: one per line. */
export function lines(...steps: string[]): string {
  return steps.join('\n');
}

export const outputFormats = {
  /** The Belgian e-FFF 3.0 profile, PDF embedded: what most targets of the original hub receive. */
  eFff3: { id: 'ubl-be-3', label: { fr: 'UBL : e-FFF 3.0', nl: 'UBL: e-FFF 3.0', en: 'UBL: e-FFF 3.0' } },
  peppolBis3: {
    id: 'peppol-bis-3',
    label: {
      fr: 'UBL : Peppol BIS Billing 3.0',
      nl: 'UBL: Peppol BIS Billing 3.0',
      en: 'UBL: Peppol BIS Billing 3.0',
    },
  },
} as const satisfies Record<string, { id: OutputFormat; label: Localized }>;

export const commonLabels = {
  username: { fr: "Nom d'utilisateur", nl: 'Gebruikersnaam', en: 'User name' },
  password: { fr: 'Mot de passe', nl: 'Wachtwoord', en: 'Password' },
  apiKey: { fr: 'Clé API', nl: 'API-sleutel', en: 'API key' },
  administration: { fr: 'Administration', nl: 'Administratie', en: 'Administration' },
} as const satisfies Record<string, Localized>;

/** The help page's closing step wherever the target asks to accept its conditions. */
export const acceptTermsAndConnect: Localized = {
  fr: "Enfin, cochez la case pour accepter les conditions d'utilisation et cliquez sur « Connecter ».",
  nl: "Vink ten slotte het vakje aan om de gebruiksvoorwaarden te aanvaarden en klik op 'Verbinden'.",
  en: 'Finally, tick the box to accept the terms of service and click Connect.',
};

/** Version of the conditions accepted in the `terms` step of the connectors declared in 2026-01. */
export const TERMS_VERSION = '2026-01';

/** A sensible ceiling for one e-invoice with its PDF embedded, where the target publishes none. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
