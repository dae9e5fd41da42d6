import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { ConnectorDescriptor, DeliveryInput } from '../types';

/**
 * The credentials-step values parsed with the descriptor's own field schemas (the API did so already;
 * a connector called directly, as in tests, gets the same checks and normalized values).
 */
export function credentialValues(
  descriptor: ConnectorDescriptor,
  values: Record<string, unknown>,
): Record<string, string> {
  const fields = descriptor.fields.filter((field) => field.step === 'credentials');
  const schema = z.object(Object.fromEntries(fields.map((field) => [field.name, field.schema])));
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    throw new ConnectorError(
      'invalid-credentials',
      parsed.error.issues.map((issue) => issue.message).join('; '),
    );
  }
  return Object.fromEntries(Object.entries(parsed.data).map(([name, value]) => [name, String(value)]));
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
