import { compareDecimals, isDecimal, parseDecimal } from './decimal';

/*
 * Belgian tax category codes (UBL.BE "BTCC" list, GLOBALUBL.BE 1.31) and how we derive them from
 * the EN 16931 VAT category (UNCL 5305) when a document does not carry one. The UBL.BE Schematron
 * requires one of these in cac:TaxCategory/cbc:Name and cac:ClassifiedTaxCategory/cbc:Name.
 */
export const BELGIAN_TAX_CODES = [
  '00',
  '01',
  '02',
  '03',
  '45',
  'NA',
  'FD',
  'SC',
  '00/44',
  '03/SE',
  'MA',
  '46/GO',
  '47/TO',
  '47/AS',
  '47/DI',
  '47/SE',
  '44',
  '46/TR',
  '47/EX',
  '47/EI',
  '47/EE',
  'NS',
  'OSS-S',
  'OSS-G',
  'OSS-I',
] as const;

export type BelgianTaxCode = (typeof BELGIAN_TAX_CODES)[number];

export function isBelgianTaxCode(code: string | undefined): code is BelgianTaxCode {
  return (BELGIAN_TAX_CODES as readonly string[]).includes(code ?? '');
}

/** Belgian standard-rate codes by VAT percentage. */
const RATE_CODES: [string, BelgianTaxCode][] = [
  ['0', '00'],
  ['6', '01'],
  ['12', '02'],
  ['21', '03'],
];

/**
 * The default Belgian code for a UNCL 5305 category. Where Belgian law distinguishes cases the
 * category cannot tell apart, we pick the common one: K (intra-community) becomes 46/GO (goods;
 * services B2B would be 44) and G (export) becomes 47/EX (export outside the EU). A code already in
 * the document wins over this default, since the sender knows which case applies.
 *
 * Returns undefined when no Belgian code fits, e.g. a foreign standard rate such as 25 %: a Belgian
 * accounting package would book it under the wrong code, so we refuse rather than guess.
 */
export function belgianTaxCodeFor(
  category: string,
  percent: string | undefined,
  exemptionCode?: string,
): BelgianTaxCode | undefined {
  switch (category.trim().toUpperCase()) {
    case 'S': {
      if (percent === undefined || !isDecimal(percent.trim())) return undefined;
      const rate = parseDecimal(percent);
      return RATE_CODES.find(([value]) => compareDecimals(parseDecimal(value), rate) === 0)?.[1];
    }
    case 'Z':
      return '00';
    case 'AE':
      return '45';
    case 'E':
      return isMarginScheme(exemptionCode) ? 'MA' : 'NA';
    case 'O':
      return 'NS';
    case 'K':
      return '46/GO';
    case 'G':
      return '47/EX';
    default:
      return undefined;
  }
}

/**
 * VATEX codes of the EU margin schemes (Directive 2006/112/EC art. 306-343): travel agents (D),
 * second-hand goods (F), works of art (I), antiques and collectors' items (J). Belgium books them
 * under its own margin code (MA, exemption BETE-MA), not as a plain exemption.
 */
const MARGIN_SCHEME_VATEX = new Set(['VATEX-EU-D', 'VATEX-EU-F', 'VATEX-EU-I', 'VATEX-EU-J']);

export function isMarginScheme(exemptionCode: string | undefined): boolean {
  return MARGIN_SCHEME_VATEX.has(exemptionCode?.trim().toUpperCase() ?? '');
}

/** UBL.BE exemption reasons (BVERC code and the BVERCText wording the Schematron accepts), by tax code. */
export const BELGIAN_EXEMPTIONS: Partial<Record<BelgianTaxCode, { code: string; reason: string }>> = {
  '45': { code: 'BETE-45', reason: 'Reverse charge - Contractor' },
  NA: { code: 'BETE-EX', reason: 'Exempt' },
  FD: { code: 'BETE-FD', reason: 'Financial discount' },
  SC: { code: 'BETE-SC', reason: 'Small company' },
  '00/44': { code: 'BETE-00/44', reason: '0% Clause 44' },
  '03/SE': { code: 'BETE-03/SE', reason: 'Standard exchange' },
  MA: { code: 'BETE-MA', reason: 'Margin' },
  '46/GO': { code: 'BETE-46/GO', reason: 'Intra-community supply - Goods' },
  '47/TO': { code: 'BETE-47/TO', reason: 'Intra-community supply - Manufacturing cost' },
  '47/AS': { code: 'BETE-47/AS', reason: 'Intra-community supply - Assembly' },
  '47/DI': { code: 'BETE-47/DI', reason: 'Intra-community supply - Distance' },
  '47/SE': { code: 'BETE-47/SE', reason: 'Intra-community supply - Services' },
  '44': { code: 'BETE-44', reason: 'Intra-community supply - Services B2B' },
  '46/TR': { code: 'BETE-46/TR', reason: 'Intra-community supply - Triangle a-B-c' },
  '47/EX': { code: 'BETE-47/EX', reason: 'Export non E.U.' },
  '47/EI': { code: 'BETE-47/EI', reason: 'Indirect export' },
  '47/EE': { code: 'BETE-47/EE', reason: 'Export via E.U.' },
  NS: { code: 'BETE-NS', reason: 'Not subject to VAT' },
};

/** Peppol only accepts VATEX exemption codes, each tied to one VAT category (PEPPOL-EN16931-P0104..P0107). */
const VATEX_BY_BELGIAN_EXEMPTION: Record<string, { vatex: string; category: string }> = {
  'BETE-45': { vatex: 'VATEX-EU-AE', category: 'AE' },
  'BETE-46/GO': { vatex: 'VATEX-EU-IC', category: 'K' },
  'BETE-46/TR': { vatex: 'VATEX-EU-IC', category: 'K' },
  'BETE-44': { vatex: 'VATEX-EU-IC', category: 'K' },
  'BETE-47/SE': { vatex: 'VATEX-EU-IC', category: 'K' },
  'BETE-47/EX': { vatex: 'VATEX-EU-G', category: 'G' },
  'BETE-47/EI': { vatex: 'VATEX-EU-G', category: 'G' },
  'BETE-47/EE': { vatex: 'VATEX-EU-G', category: 'G' },
  'BETE-NS': { vatex: 'VATEX-EU-O', category: 'O' },
};

/**
 * The VATEX code matching a UBL.BE exemption code, or undefined when there is none or when it would
 * contradict the VAT category (the exemption text then carries the meaning on its own).
 */
export function vatexForBelgianExemption(code: string, category: string): string | undefined {
  const match = VATEX_BY_BELGIAN_EXEMPTION[code.trim().toUpperCase()];
  return match && match.category === category.trim().toUpperCase() ? match.vatex : undefined;
}
