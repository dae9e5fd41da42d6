// The worker's workflow bundle entry point: every workflow type Relais runs is exported here.
export { probeWorkflow } from './probe';
export { connectionSetupWorkflow } from './connection-setup';
export { documentDeliveryWorkflow } from './document-delivery';
export { reconcileWorkflow } from './reconcile';
export { webhookDeliveryWorkflow } from './webhook-delivery';
