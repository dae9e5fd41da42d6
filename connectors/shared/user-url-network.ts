/*
 * The network configuration of connectors whose base URL a user types (BoCount, Count-e): the SSRF
 * guard's allow-list (RELAIS_NETWORK_ALLOW) plus, optionally, one more certificate authority to trust
 * for https (RELAIS_NETWORK_CA_FILE): for an accountant's server signed by a private CA, and for the
 * tests, whose contract fakes serve https on loopback with a certificate made at test time. https is
 * never relaxed to http, not even for allow-listed hosts.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { z } from 'zod';
import { networkPolicyConfig, type NetworkPolicy } from './network-guard';

export const userUrlNetworkConfig = {
  ...networkPolicyConfig,
  /** A PEM file of certificate authorities trusted besides the system's. */
  RELAIS_NETWORK_CA_FILE: z.string().optional(),
};

/**
 * The guard's policy with the extra CA, if any. Node replaces its default roots when `ca` is given,
 * so the system's roots are kept alongside: public vendors stay reachable.
 */
export function userUrlPolicy(config: {
  RELAIS_NETWORK_ALLOW: NetworkPolicy;
  RELAIS_NETWORK_CA_FILE?: string | undefined;
}): NetworkPolicy {
  const file = config.RELAIS_NETWORK_CA_FILE;
  if (!file) return config.RELAIS_NETWORK_ALLOW;
  const extra = readFileSync(file, 'utf8');
  return { ...config.RELAIS_NETWORK_ALLOW, ca: [...rootCertificates, extra].join('\n') };
}
