import { proxyActivities } from '@temporalio/workflow';
import type { ProbeActivities } from '../activities/probe';

const { recordProbe } = proxyActivities<ProbeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '200 milliseconds' },
});

/** Proves the chain client → Temporal → worker → PostgreSQL works (deep health check, smoke test). */
export async function probeWorkflow(probeId: string): Promise<{ probeId: string; workerIdentity: string }> {
  const workerIdentity = await recordProbe(probeId);
  return { probeId, workerIdentity };
}
