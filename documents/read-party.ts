import {
  ENTERPRISE_NUMBER_SCHEMES,
  VAT_NUMBER_SCHEMES,
  isValidBelgianEnterpriseNumber,
  normalizeBelgianEnterpriseNumber,
} from './belgian-ids';
import { DocumentError } from './document-error';
import { children, find, textAt, textOf, type XmlElement } from './ubl-dom';

export interface ParsedParty {
  /** Legal name (RegistrationName), else the trading name (PartyName/Name). */
  name: string;
  vatNumber?: string;
  /** Legal registration identifier; for Belgian companies the enterprise number, ten digits. */
  enterpriseNumber?: string;
  endpointId?: string;
  endpointScheme?: string;
  /** ISO 3166-1 alpha-2 code of the postal address. */
  country?: string;
}

export type PartyRole = 'supplier' | 'customer';

const PATH: Record<PartyRole, 'cac:AccountingSupplierParty' | 'cac:AccountingCustomerParty'> = {
  supplier: 'cac:AccountingSupplierParty',
  customer: 'cac:AccountingCustomerParty',
};

function scheme(element: XmlElement | undefined): string | undefined {
  return element?.getAttribute('schemeID')?.trim() || undefined;
}

export function readParty(root: XmlElement, role: PartyRole): ParsedParty {
  const party = find(root, PATH[role], 'cac:Party');
  const name =
    textAt(party, 'cac:PartyLegalEntity', 'cbc:RegistrationName') ??
    (party ? children(party, 'cac:PartyName').map((p) => textAt(p, 'cbc:Name')) : []).find(Boolean);
  if (!name) {
    throw new DocumentError(
      'missing-field',
      `The ${role} name is missing: ${PATH[role]}/cac:Party needs cac:PartyLegalEntity/cbc:RegistrationName ` +
        'or cac:PartyName/cbc:Name.',
      `${PATH[role]}/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName`,
    );
  }
  const endpoint = party ? find(party, 'cbc:EndpointID') : undefined;
  const endpointId = textOf(endpoint);
  const endpointScheme = scheme(endpoint);
  const vatNumber = party ? readVatNumber(party, endpointId, endpointScheme) : undefined;
  const enterpriseNumber = party ? readEnterpriseNumber(party, vatNumber) : undefined;
  const country = textAt(party, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode');
  return {
    name,
    ...(vatNumber && { vatNumber }),
    ...(enterpriseNumber && { enterpriseNumber }),
    ...(endpointId && { endpointId }),
    ...(endpointScheme && { endpointScheme }),
    ...(country && { country }),
  };
}

function readVatNumber(party: XmlElement, endpointId?: string, endpointScheme?: string): string | undefined {
  const vatScheme = children(party, 'cac:PartyTaxScheme').find(
    (taxScheme) => textAt(taxScheme, 'cac:TaxScheme', 'cbc:ID')?.toUpperCase() === 'VAT',
  );
  const declared = textAt(vatScheme, 'cbc:CompanyID');
  if (declared) return declared;
  return endpointScheme && VAT_NUMBER_SCHEMES.has(endpointScheme.toUpperCase()) ? endpointId : undefined;
}

/**
 * Prefers an identifier explicitly in a Belgian enterprise-number scheme, then the legal
 * registration identifier as written, then the number inside a Belgian VAT number (by law the same
 * digits) when its check digits are right.
 */
function readEnterpriseNumber(party: XmlElement, vatNumber: string | undefined): string | undefined {
  const candidates = [
    find(party, 'cac:PartyLegalEntity', 'cbc:CompanyID'),
    ...children(party, 'cac:PartyIdentification').map((identification) => find(identification, 'cbc:ID')),
    find(party, 'cbc:EndpointID'),
  ];
  for (const candidate of candidates) {
    const value = textOf(candidate);
    const candidateScheme = scheme(candidate)?.toUpperCase();
    if (value && candidateScheme && ENTERPRISE_NUMBER_SCHEMES.has(candidateScheme)) {
      return normalizeBelgianEnterpriseNumber(value) ?? value;
    }
  }
  const legal = textAt(party, 'cac:PartyLegalEntity', 'cbc:CompanyID');
  if (legal) return legal;
  if (vatNumber && /^BE/i.test(vatNumber.trim())) {
    const fromVat = normalizeBelgianEnterpriseNumber(vatNumber);
    if (fromVat && isValidBelgianEnterpriseNumber(fromVat)) return fromVat;
  }
  return undefined;
}
