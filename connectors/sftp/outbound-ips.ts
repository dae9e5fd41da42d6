import { isIP } from 'node:net';
import { z } from 'zod';
import type { Localized } from '../types';

/**
 * RELAIS_OUTBOUND_IPS: the addresses Relais connects from, as the operator knows them (comma-separated).
 * Unset, Relais says nothing about addresses: it cannot know them itself.
 */
export const outboundIpsSchema = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine((address) => isIP(address) !== 0, {
        error: (issue) => `expected comma-separated IP addresses, got "${String(issue.input)}"`,
      }),
    ),
  );

export const outboundIpsConfig = { RELAIS_OUTBOUND_IPS: outboundIpsSchema };

/** The help's allow-list paragraph for the configured addresses; none configured, no paragraph. */
export function allowListHelp(addresses: readonly string[]): Localized | undefined {
  if (addresses.length === 0) return undefined;
  const list = addresses.join(', ');
  return {
    fr:
      'Si vous filtrez les connexions par adresse IP, ajoutez à la liste autorisée de votre serveur SFTP ' +
      `les adresses à partir desquelles nous envoyons les données : ${list}.`,
    nl:
      'Als u verbindingen filtert op IP-adres, voeg dan de adressen van waaruit we de gegevens sturen toe ' +
      `aan de toelatingslijst van uw SFTP-server: ${list}.`,
    en:
      'If you restrict connections by IP address, add the addresses we send the data from to the ' +
      `allow-list of your SFTP server: ${list}.`,
  };
}

/** The end of a could-not-connect message: the addresses to allow, when they are configured. */
export function allowListAdvice(addresses: readonly string[]): string {
  return addresses.length === 0
    ? ''
    : `, and that the server accepts connections from our IP addresses (${addresses.join(', ')})`;
}
