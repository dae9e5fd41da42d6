import { defineConnector } from '../types';
import { createDropboxOAuth } from './oauth';
import { dropboxConfigSchema } from './config';
import { deliverToDropbox } from './deliver';
import { dropboxDescriptor } from './descriptor';

export default defineConnector({
  descriptor: dropboxDescriptor,
  configSchema: dropboxConfigSchema,
  create: (config) => ({
    descriptor: dropboxDescriptor,
    oauth: createDropboxOAuth(config),
    deliver: (input) => deliverToDropbox(config, input),
  }),
});
