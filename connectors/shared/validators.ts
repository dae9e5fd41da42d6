/*
 * Field schemas shared by the connector descriptors. Their messages are shown to the person filling
 * in the setup form, so each says what to enter rather than what went wrong inside the parser.
 */
import { z } from 'zod';
import {
  isValidBelgianEnterpriseNumber,
  normalizeBelgianEnterpriseNumber,
} from '../../documents/belgian-ids';

/** Non-empty text after trimming; a missing value gets the same plain message as an empty one. */
export function requiredText(message: string, options: { maxLength?: number; tooLong?: string } = {}) {
  const text = z.string({ error: message }).trim().min(1, message);
  if (options.maxLength === undefined) return text;
  return text.max(options.maxLength, options.tooLong ?? `Use at most ${options.maxLength} characters`);
}

/** A positive whole number; form inputs may send it as a string of digits. */
export function positiveInteger(message: string) {
  return z.coerce.number({ error: message }).int(message).positive(message);
}

const guidPattern = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** A GUID as .NET services write it (optionally in braces); kept lower-case without braces. */
export function guid(message: string) {
  return requiredText(message)
    .regex(guidPattern, message)
    .transform((value) => value.replace(/[{}]/g, '').toLowerCase());
}

/**
 * An https address of a service the user names (a per-accountant base URL, an API instance).
 * Only the shape is checked here; refusing private and loopback hosts needs DNS and happens when the
 * connector connects (the SSRF guard).
 */
export function httpsUrl(missingMessage: string) {
  return requiredText(missingMessage).superRefine((value, context) => {
    const problem = httpsUrlProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });
}

function httpsUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full web address, starting with https://';
  }
  if (url.protocol !== 'https:') return 'Use a secure address: it must start with https://';
  // Credentials in a URL end up in logs and history; they belong in their own (secret) fields.
  if (url.username || url.password) return 'Leave the user name and password out of the address';
  return undefined;
}

/**
 * A Belgian VAT number: "BE" and the ten-digit enterprise number whose last two digits are a mod-97
 * check. Accepts what people paste ("BE 0827.405.743", "0827405743", the old nine-digit form) and
 * keeps the canonical "BE0827405743".
 */
export function belgianVatNumber(missingMessage: string) {
  return requiredText(missingMessage).transform((value, context) => {
    const number = normalizeBelgianEnterpriseNumber(value);
    if (number === undefined || !/^[01]/.test(number)) {
      context.addIssue({
        code: 'custom',
        message: 'Enter a Belgian VAT number: BE followed by 10 digits, for example BE0123456749',
      });
      return z.NEVER;
    }
    if (!isValidBelgianEnterpriseNumber(number)) {
      context.addIssue({
        code: 'custom',
        message:
          'This is not a valid Belgian VAT number: the last two digits do not match. Check for a typo.',
      });
      return z.NEVER;
    }
    return `BE${number}`;
  });
}
