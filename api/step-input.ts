import { z } from 'zod';
import type pg from 'pg';
import type { ConnectorDescriptor, FieldDescriptor, SetupStep } from '../connectors/types';
import { storeSubmittedSecret } from '../db/submitted-secrets';
import type { Vault } from '../platform/vault';
import type { StepInput } from '../workflows/setup-messages';
import { HttpError, parseOrThrow, zodDetails, type ErrorDetail } from './errors';

const valuesSchema = z.record(z.string(), z.unknown()).default({});
/** Who accepted the terms, as stored with the consent: plain text (PostgreSQL refuses a NUL in text). */
const acceptedBySchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^\P{Cc}*$/u, 'Remove the control characters');

export const stepBodySchemas = {
  format: z.object({ format: z.enum(['peppol-bis-3', 'ubl-be-3']) }),
  credentials: z.object({ values: valuesSchema }),
  oauth: z.object({
    values: valuesSchema,
    // Kept as the URL standard writes it: control characters come out percent-encoded.
    returnUrl: z.url('returnUrl must be an absolute URL').transform((url) => new URL(url).href),
  }),
  administration: z.object({
    administrationIds: z.union([
      z.literal('all'),
      z.array(z.string().min(1)).min(1, 'Choose at least one administration'),
    ]),
    values: valuesSchema,
  }),
  terms: z.object({
    accepted: z.literal(true, 'Accept the terms of service to connect'),
    termsVersion: z.string().min(1),
    acceptedBy: acceptedBySchema.optional(),
  }),
} satisfies Record<SetupStep, z.ZodType>;

/**
 * Validates a step's form values against the connector's field descriptors (unknown fields refused,
 * defaults applied) and splits them: secrets go to the encrypted store, the rest to the workflow.
 */
function checkFields(
  descriptor: ConnectorDescriptor,
  step: FieldDescriptor['step'],
  values: Record<string, unknown>,
) {
  const fields = descriptor.fields.filter((field) => field.step === step);
  const details: ErrorDetail[] = [];
  const plain: Record<string, unknown> = {};
  const secret: Record<string, string> = {};
  for (const name of Object.keys(values)) {
    if (!fields.some((field) => field.name === name))
      details.push({ path: `values.${name}`, message: 'Unknown field' });
  }
  for (const field of fields) {
    const given = values[field.name];
    const value = given === undefined || given === '' ? field.default : given;
    if (value === undefined) {
      if (field.required)
        details.push({ path: `values.${field.name}`, message: `${field.label.en} is required` });
      continue;
    }
    const parsed = field.schema.safeParse(value);
    if (!parsed.success) {
      details.push(
        ...zodDetails(parsed.error).map((d) => ({ path: `values.${field.name}`, message: d.message })),
      );
    } else if (field.secret) secret[field.name] = String(parsed.data);
    else plain[field.name] = parsed.data;
  }
  if (details.length) {
    throw new HttpError(
      400,
      'invalid-request',
      `Invalid ${step} step: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return { plain, secret };
}

export async function buildStepInput(
  deps: { pool: pg.Pool; vault: Vault; returnUrlOrigins: string[] },
  context: {
    tenantId: string;
    descriptor: ConnectorDescriptor;
    step: SetupStep;
    body: unknown;
    acceptedBy: string | undefined;
  },
): Promise<StepInput> {
  const { descriptor, step } = context;
  switch (step) {
    case 'format':
      return { step, ...parseOrThrow(stepBodySchemas.format, context.body, 'format step') };
    case 'credentials': {
      const body = parseOrThrow(stepBodySchemas.credentials, context.body, 'credentials step');
      const { plain, secret } = checkFields(descriptor, 'credentials', body.values);
      const secretRef = Object.keys(secret).length
        ? await storeSubmittedSecret(deps.pool, deps.vault, context.tenantId, secret)
        : undefined;
      return { step, values: plain, ...(secretRef ? { secretRef } : {}) };
    }
    case 'oauth': {
      const body = parseOrThrow(stepBodySchemas.oauth, context.body, 'oauth step');
      if (!deps.returnUrlOrigins.includes(new URL(body.returnUrl).origin)) {
        throw new HttpError(
          400,
          'invalid-request',
          `returnUrl must be on an allowed origin (${deps.returnUrlOrigins.join(', ')})`,
          [{ path: 'returnUrl', message: 'Origin not allowed' }],
        );
      }
      return { step, values: checkFields(descriptor, 'oauth', body.values).plain, returnUrl: body.returnUrl };
    }
    case 'administration': {
      const body = parseOrThrow(stepBodySchemas.administration, context.body, 'administration step');
      return {
        step,
        administrationIds: body.administrationIds,
        values: checkFields(descriptor, 'administration', body.values).plain,
      };
    }
    case 'terms': {
      const body = parseOrThrow(stepBodySchemas.terms, context.body, 'terms step');
      const acceptedBy =
        body.acceptedBy ??
        (context.acceptedBy === undefined
          ? undefined
          : parseOrThrow(acceptedBySchema, context.acceptedBy, 'X-Relais-User header'));
      if (!acceptedBy) {
        throw new HttpError(
          400,
          'invalid-request',
          'Say who accepts the terms: acceptedBy in the body or the X-Relais-User header',
          [{ path: 'acceptedBy', message: 'Required' }],
        );
      }
      return { step, accepted: body.accepted, termsVersion: body.termsVersion, acceptedBy };
    }
  }
}
