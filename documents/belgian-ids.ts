/*
 * Belgian company identifiers. The enterprise number (KBO/BCE, Peppol scheme 0208) is ten digits,
 * the first 0 or 1, the last two a mod-97 check: 97 - (first eight digits mod 97). The VAT number
 * (Peppol scheme 9925) is "BE" followed by the enterprise number.
 */

/** "BE 0827.405.743", "0827405743", "827405743" -> "0827405743"; undefined when it is not that shape. */
export function normalizeBelgianEnterpriseNumber(raw: string): string | undefined {
  const compact = raw.replace(/[\s.\-/]/g, '').replace(/^BE/i, '');
  if (/^\d{10}$/.test(compact)) return compact;
  // Numbers issued before 2005 are written with nine digits; the leading 0 is implied.
  if (/^\d{9}$/.test(compact)) return `0${compact}`;
  return undefined;
}

export function isValidBelgianEnterpriseNumber(number: string): boolean {
  if (!/^[01]\d{9}$/.test(number)) return false;
  return 97 - (Number(number.slice(0, 8)) % 97) === Number(number.slice(8));
}

/** Scheme identifiers for the enterprise number: Peppol EAS 0208 and e-FFF's BE:CBE. */
export const ENTERPRISE_NUMBER_SCHEMES = new Set(['0208', 'BE:CBE']);
/** Scheme identifiers for the Belgian VAT number: Peppol EAS 9925 and e-FFF's BE:VAT. */
export const VAT_NUMBER_SCHEMES = new Set(['9925', 'BE:VAT']);

/** e-FFF v3 scheme names and their Peppol EAS equivalents, for writing BIS 3 based formats. */
export const PEPPOL_SCHEME_FOR: Record<string, string> = { 'BE:CBE': '0208', 'BE:VAT': '9925' };
