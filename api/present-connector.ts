import { z } from 'zod';
import { allowListHelp } from '../connectors/sftp/outbound-ips';
import type { ConnectorDescriptor, FieldDescriptor, Locale } from '../connectors/types';

/** The language of a request: `?lang=`, else Accept-Language, else English. */
export function requestLocale(query: unknown, acceptLanguage: string | undefined): Locale {
  const asked = typeof query === 'string' ? query : (acceptLanguage ?? '').slice(0, 2).toLowerCase();
  return asked === 'fr' || asked === 'nl' ? asked : 'en';
}

function presentField(field: FieldDescriptor, locale: Locale) {
  let jsonSchema: unknown;
  try {
    jsonSchema = z.toJSONSchema(field.schema, { unrepresentable: 'any', io: 'input' });
  } catch {
    jsonSchema = {};
  }
  return {
    name: field.name,
    step: field.step,
    label: field.label[locale],
    help: field.help?.[locale] ?? null,
    input: field.input,
    secret: field.secret,
    required: field.required,
    default: field.default ?? null,
    options: field.options?.map((option) => ({ value: option.value, label: option.label[locale] })) ?? null,
    schema: jsonSchema,
  };
}

/** A descriptor as the catalogue API shows it, in one language. */
export function presentConnector(descriptor: ConnectorDescriptor, locale: Locale, outboundIps: string[]) {
  // Descriptors are static: the addresses to allow-list are the operator's configuration, added here.
  const allowList = descriptor.auth === 'sftp' ? allowListHelp(outboundIps)?.[locale] : undefined;
  return {
    id: descriptor.id,
    displayName: descriptor.displayName,
    name: descriptor.names[locale],
    summary: descriptor.summary[locale],
    help: allowList ? `${allowList}\n${descriptor.help[locale]}` : descriptor.help[locale],
    available: descriptor.available,
    assumedContract: descriptor.assumedContract ?? false,
    documentTypes: descriptor.documentTypes,
    auth: descriptor.auth,
    steps: descriptor.steps,
    fields: descriptor.fields.map((field) => presentField(field, locale)),
    formats: descriptor.formats.map((format) => ({ id: format.id, label: format.label[locale] })),
    administration: descriptor.administration ?? null,
    oauth: descriptor.oauth ? { pkce: descriptor.oauth.pkce, scopes: descriptor.oauth.scopes } : null,
    limits: descriptor.limits,
    termsVersion: descriptor.termsVersion,
    ...(descriptor.auth === 'sftp' ? { outboundIpAddresses: outboundIps } : {}),
  };
}
