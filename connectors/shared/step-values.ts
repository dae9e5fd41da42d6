import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { ConnectorDescriptor, FieldDescriptor } from '../types';

/**
 * Reads the values of one setup step with the descriptor's own field schemas, so a connector checks
 * exactly what its form declares. The API has validated them already; this guards the connector's
 * own use of them (and the settings read back at delivery) against anything else.
 */
export function parseStepValues(
  descriptor: ConnectorDescriptor,
  step: FieldDescriptor['step'],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const shape = Object.fromEntries(
    descriptor.fields.filter((field) => field.step === step).map((field) => [field.name, field.schema]),
  );
  const parsed = z.object(shape).safeParse(values);
  if (!parsed.success) {
    throw new ConnectorError(
      'invalid-credentials',
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    );
  }
  return parsed.data;
}
