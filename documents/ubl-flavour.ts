/** The UBL customizations a Belgian platform meets; see documents/README.md. */
export type Flavour = 'peppol-bis-3' | 'ubl-be-3' | 'efff-v3' | 'en16931' | 'unknown';

/** The two flavours we produce. e-FFF v3 (2016, Peppol BIS 2 based) is read, never written. */
export type OutputFormat = 'peppol-bis-3' | 'ubl-be-3';

export const CUSTOMIZATION_ID: Record<OutputFormat, string> = {
  'peppol-bis-3': 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0',
  'ubl-be-3': 'urn:cen.eu:en16931:2017#conformant#urn:UBL.BE:1.0.0.20180214',
};

/** UBL.BE reuses the Peppol billing profile. */
export const PEPPOL_BILLING_PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

const PEPPOL = CUSTOMIZATION_ID['peppol-bis-3'].toLowerCase();
const EN16931 = 'urn:cen.eu:en16931:2017';
/** Peppol BIS 2 invoice transaction, which e-FFF v3 extends. */
const BIS2_INVOICE = 'urn:www.cenbii.eu:transaction:biitrns010:ver2.0';

/**
 * Detects the flavour from cbc:CustomizationID, case-insensitively (senders vary the case of
 * "UBL.BE"). Peppol must match exactly: a CIUS or extension built on top of Peppol BIS
 * ("...billing:3.0#conformant#...") is a different specification and is treated as plain EN 16931.
 */
export function detectFlavour(customizationId: string | undefined): Flavour {
  const id = customizationId?.trim().toLowerCase();
  if (!id) return 'unknown';
  if (id.includes('urn:ubl.be:')) return 'ubl-be-3';
  if (id === PEPPOL) return 'peppol-bis-3';
  if (id.startsWith(BIS2_INVOICE)) return 'efff-v3';
  if (id.startsWith(EN16931)) return 'en16931';
  return 'unknown';
}
