import { z } from 'zod';
import { networkPolicyConfig } from '../shared/network-guard';
import { defineConnector } from '../types';
import { checkSftpCredentials } from './check-credentials';
import type { SftpReach } from './client';
import { deliverToSftp } from './deliver';
import { sftpDescriptor } from './descriptor';
import { createSftpSessionPool } from './session-pool';
import { outboundIpsConfig } from './outbound-ips';

export default defineConnector({
  descriptor: sftpDescriptor,
  // The server is the customer's (host and port are settings of each connection); how long we wait for it
  // to answer, and which non-public hosts it may be (the SSRF guard's allow-list), are ours to choose.
  configSchema: z.object({
    SFTP_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    // How long a session that delivered stays open for the next delivery to the same server (0: never).
    SFTP_SESSION_IDLE_MS: z.coerce.number().int().min(0).default(5_000),
    ...networkPolicyConfig,
    ...outboundIpsConfig,
  }),
  create: (config) => {
    const reach: SftpReach = {
      connectTimeoutMs: config.SFTP_CONNECT_TIMEOUT_MS,
      networkPolicy: config.RELAIS_NETWORK_ALLOW,
      outboundIps: config.RELAIS_OUTBOUND_IPS,
    };
    // Per worker process: a few idle sessions per server, so deliveries in a burst share handshakes.
    const sessions = createSftpSessionPool({ idleMs: config.SFTP_SESSION_IDLE_MS, maxIdlePerServer: 4 });
    return {
      descriptor: sftpDescriptor,
      checkCredentials: ({ values, settings }) => checkSftpCredentials(values, settings, reach),
      deliver: (input) => deliverToSftp(input, reach, sessions),
    };
  },
});
