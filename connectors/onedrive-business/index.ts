import { defineConnector } from '../types';
import { oneDriveConfigSchema } from './config';
import { deliverToOneDrive } from './deliver';
import { descriptor } from './descriptor';
import { createOneDriveOAuth } from './oauth';

export default defineConnector({
  descriptor,
  configSchema: oneDriveConfigSchema,
  create: (config) => ({
    descriptor,
    oauth: createOneDriveOAuth(config),
    deliver: (input) => deliverToOneDrive(config, input),
  }),
});
