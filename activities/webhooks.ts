import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type pg from 'pg';
import { publicOnly } from '../connectors/shared/network-guard';
import { userUrlPolicy } from '../connectors/shared/user-url-network';
import {
  loadWebhookTarget,
  markWebhookDeliveryDelivered,
  markWebhookDeliveryFailed,
  recordWebhookAttempt,
  webhookDeliveriesToReconcile,
  type WebhookDeliveryRef,
} from '../db/webhooks';
import type { Config } from '../platform/config';
import { relaisVersion } from '../platform/version';
import type { Vault } from '../platform/vault';
import { postSignedEvent } from '../webhooks/send';
import { startWebhookDeliveries } from '../webhooks/start';
import {
  webhookDeliveryWorkflowId,
  webhookFailureTypes,
  type WebhookDeliveryInput,
  type WebhookDeliveryOutcome,
} from '../workflows/webhook-messages';

export interface WebhookDeps {
  pool: pg.Pool;
  vault: Vault;
  temporal?: Client;
  config?: Config;
}

/** Pending webhook deliveries the reconciler looks at per run, never-attempted ones first. */
export const webhookReconcileBatch = 500;

export interface WebhookReconcileResult {
  examined: number;
  started: number;
  recorded: number;
  failed: number;
}

/**
 * Starts the webhook deliveries a state change just committed. Never fails the caller: the change is
 * stored, and a delivery left unstarted (Temporal down, no client here) is started by the reconciler.
 */
export async function startWebhooksAfterCommit(
  deps: { temporal?: Client | undefined; config?: Config | undefined },
  deliveries: WebhookDeliveryRef[],
): Promise<void> {
  if (deliveries.length === 0 || !deps.temporal || !deps.config) return;
  try {
    await startWebhookDeliveries({ temporal: deps.temporal, config: deps.config }, deliveries);
  } catch (error) {
    log.warn('Webhook deliveries not started; the reconciler will start them', {
      webhookDeliveryIds: deliveries.map((d) => d.id),
      error: (error as Error).message,
    });
  }
}

/** The wait before the attempt after `attempt`: the endpoint's Retry-After (bounded), else the back-off. */
function nextDelayMs(retry: WebhookDeliveryInput['retry'], attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, retry.maximumIntervalMs);
  return Math.min(retry.firstIntervalMs * 2 ** (attempt - 1), retry.maximumIntervalMs);
}

export function createWebhookActivities(deps: WebhookDeps) {
  const { pool } = deps;
  // Built once: the guard keeps one connection pool per policy object.
  const policy = deps.config ? userUrlPolicy(deps.config) : publicOnly;
  const userAgent = `Relais-Webhooks/${relaisVersion}`;

  return {
    /**
     * One attempt: reads the delivery, its endpoint (secret decrypted here, never carried by the
     * workflow) and its event, signs and posts it, and records the attempt. A 2xx ends the delivery;
     * anything else throws a retryable failure, after the endpoint's Retry-After when it gave one.
     */
    async sendWebhook(input: WebhookDeliveryInput): Promise<void> {
      const info = Context.current().info;
      const target = await loadWebhookTarget(pool, deps.vault, input.tenantId, input.webhookDeliveryId);
      if (!target || target.endpointDeleted) {
        throw ApplicationFailure.create({
          type: webhookFailureTypes.endpointGone,
          message: 'The endpoint was deleted before this event reached it.',
          nonRetryable: true,
        });
      }
      // Recorded as delivered by an earlier attempt whose completion was lost: nothing to send.
      if (target.status === 'delivered') return;
      const startedAt = new Date();
      const answer = await postSignedEvent({
        url: target.url,
        secret: target.secret,
        messageId: target.eventId,
        body: target.body,
        policy,
        userAgent,
        now: startedAt,
      });
      const delay = nextDelayMs(input.retry, info.attempt, answer.retryAfterMs);
      const giveUpAt = info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs;
      const nextAttemptAt =
        answer.delivered || Date.now() + delay >= giveUpAt ? null : new Date(Date.now() + delay);
      await recordWebhookAttempt(pool, {
        tenantId: input.tenantId,
        deliveryId: input.webhookDeliveryId,
        attempt: info.attempt,
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        statusCode: answer.statusCode,
        error: answer.error,
        delivered: answer.delivered,
        nextAttemptAt,
      });
      if (answer.delivered) return;
      throw ApplicationFailure.create({
        type: webhookFailureTypes.notAccepted,
        message: answer.error ?? 'The endpoint did not accept the event.',
        ...(answer.retryAfterMs !== undefined ? { nextRetryDelay: delay } : {}),
      });
    },

    async markWebhookFailed(input: { tenantId: string; webhookDeliveryId: string; message: string }) {
      await markWebhookDeliveryFailed(pool, input.tenantId, input.webhookDeliveryId, input.message);
    },

    /**
     * The reconciler's part for webhooks: a pending delivery whose workflow never started (the process
     * died between the commit of the change and the start) is started; one whose workflow ended without
     * recording its end (terminated, timed out) gets its end.
     */
    async reconcileWebhookDeliveries(input: { afterSeconds: number }): Promise<WebhookReconcileResult> {
      const { temporal, config } = deps;
      if (!temporal || !config)
        throw new Error('reconcileWebhookDeliveries needs a Temporal client and the config');
      const rows = await webhookDeliveriesToReconcile(pool, input.afterSeconds, webhookReconcileBatch);
      const result: WebhookReconcileResult = { examined: rows.length, started: 0, recorded: 0, failed: 0 };
      const toStart: WebhookDeliveryRef[] = [];
      for (const delivery of rows) {
        const handle = temporal.workflow.getHandle(webhookDeliveryWorkflowId(delivery.id));
        let status: string;
        try {
          status = (await handle.describe()).status.name;
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          toStart.push(delivery);
          continue;
        }
        if (status === 'RUNNING') continue;
        const outcome =
          status === 'COMPLETED'
            ? ((await handle.result()) as WebhookDeliveryOutcome)
            : {
                status: 'failed' as const,
                message: `The webhook workflow ended (${status.toLowerCase().replace(/_/g, ' ')}) before it recorded an outcome; resend the delivery to send it again.`,
              };
        if (outcome.status === 'delivered') {
          await markWebhookDeliveryDelivered(pool, delivery.tenantId, delivery.id);
          result.recorded++;
        } else {
          await markWebhookDeliveryFailed(pool, delivery.tenantId, delivery.id, outcome.message);
          result.failed++;
        }
      }
      await startWebhookDeliveries({ temporal, config }, toStart);
      result.started = toStart.length;
      return result;
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
