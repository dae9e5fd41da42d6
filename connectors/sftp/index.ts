import { z } from 'zod';
import { defineConnector } from '../types';
import { checkSftpCredentials } from './check-credentials';
import { deliverToSftp } from './deliver';
import { sftpDescriptor } from './descriptor';

export default defineConnector({
  descriptor: sftpDescriptor,
  // The server is the customer's (host and port are settings of each connection); only how long we wait
  // for it to answer and finish the SSH handshake is ours to choose.
  configSchema: z.object({
    SFTP_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  }),
  create: (config) => ({
    descriptor: sftpDescriptor,
    checkCredentials: ({ values, settings }) =>
      checkSftpCredentials(values, settings, config.SFTP_CONNECT_TIMEOUT_MS),
    deliver: (input) => deliverToSftp(input, config.SFTP_CONNECT_TIMEOUT_MS),
  }),
});
