import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { ConnectorDescriptor, DeliveryInput, FieldDescriptor } from '../types';

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

/** The credentials step's values, parsed as above, as strings (what HTTP clients send). */
export function credentialValues(
  descriptor: ConnectorDescriptor,
  values: Record<string, unknown>,
): Record<string, string> {
  const parsed = parseStepValues(descriptor, 'credentials', values);
  return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, String(value)]));
}

/**
 * The string settings and secrets a delivery needs from its connection, all present, else a
 * `misconfigured` error naming the target (a connection set up before a field existed, say).
 */
export function connectionValues<S extends string, K extends string>(
  target: string,
  input: Pick<DeliveryInput, 'settings' | 'credentials'>,
  names: { settings: readonly S[]; secrets: readonly K[] },
): Record<S | K, string> {
  const { settings, credentials } = input;
  const secrets: Record<string, unknown> = credentials.kind === 'secrets' ? credentials.secrets : {};
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, source] of [
    ...names.settings.map((name) => [name, settings] as const),
    ...names.secrets.map((name) => [name, secrets] as const),
  ]) {
    const value = source[name];
    if (typeof value === 'string' && value) found[name] = value;
    else missing.push(name);
  }
  if (missing.length) {
    throw new ConnectorError(
      'misconfigured',
      `This ${target} connection lacks ${missing.join(', ')}. Set the connection up again.`,
    );
  }
  return found as Record<S | K, string>;
}
