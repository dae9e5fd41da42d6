import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface DeliveryInput {
  deliveryId: string;
  tenantId: string;
  documentId: string;
  connectionId: string;
  connectorId: string;
  /** Task queue of the deliver activity: rate-limited connectors have a queue of their own. */
  activityTaskQueue: string;
  /** Start-to-close timeout of one deliver attempt (DELIVERY_ATTEMPT_TIMEOUT_SECONDS); 2 minutes when absent. */
  attemptTimeoutMs?: number;
  /**
   * How long a deliver attempt may go without a heartbeat before the server hands it to another
   * worker (a killed worker's attempt resumes this soon); 20 seconds when absent.
   */
  heartbeatTimeoutMs?: number;
  /** Longest wait for a re-authorization (RELAIS_PARK_MAX_DAYS); 30 days when absent. */
  parkMaxDays?: number;
  /** Set by continue-as-new while parked: the new run goes straight back to waiting. */
  park?: DeliveryPark;
  /** How a delivery the target processes later is checked (DELIVERY_CONFIRM_*); defaults below. */
  confirmTiming?: ConfirmTiming;
  /** Set by continue-as-new while waiting for the target's confirmation: the new run goes on asking. */
  confirming?: DeliveryConfirming;
}

/** The checks of a pending delivery: a first wait that doubles up to a longest gap, within a longest wait. */
export interface ConfirmTiming {
  firstCheckMs: number;
  maxCheckMs: number;
  maxWaitMs: number;
}

export const defaultConfirmTiming: ConfirmTiming = {
  firstCheckMs: 30_000,
  maxCheckMs: 3_600_000,
  maxWaitMs: 7 * 24 * 3_600_000,
};

/** A delivery accepted by its target for later processing, carried over continue-as-new. */
export interface DeliveryConfirming {
  /** The target's reference of the accepted document (Onea's transfer uuid). */
  reference: string;
  /** Epoch milliseconds (workflow time) after which the delivery fails as not confirmed. */
  deadline: number;
  /** The wait before the next check. */
  nextCheckMs: number;
  message: string;
}

/** A parked delivery carried over continue-as-new: its deadline survives, so the longest wait holds. */
export interface DeliveryPark {
  /** Epoch milliseconds (workflow time) after which the delivery fails as parked too long. */
  deadline: number;
  message: string;
}

export type DeliveryOutcome =
  | { status: 'delivered'; receipt: { remoteId?: string; remotePath?: string; alreadyPresent: boolean } }
  | { status: 'failed'; kind: string; message: string };

export interface DeliveryView {
  status: 'delivering' | 'waiting-for-connection' | 'delivered' | 'failed';
  message?: string;
}

/** Sent when a connection is re-authorized (resume) or disconnected (give up). */
export const connectionChangedSignal =
  defineSignal<[{ status: 'active' | 'disconnected' }]>('connectionChanged');
export const deliveryStateQuery = defineQuery<DeliveryView>('deliveryState');

/** Failure types of the deliver activity; everything else is retried with back-off. */
export const deliveryFailureTypes = {
  rejected: 'DocumentRejected',
  misconfigured: 'ConnectionMisconfigured',
  authorizationExpired: 'AuthorizationExpired',
  connectionClosed: 'ConnectionClosed',
  rateLimited: 'RateLimited',
  unavailable: 'TargetUnavailable',
} as const;

/**
 * Error codes (a delivery's lastErrorKind, its events' code) whose message is the target's own words, as
 * its connector relays them; the other codes' messages are Relais's own (the reader translates the code).
 */
export const targetErrorCodes: readonly string[] = [
  'unavailable',
  'rate-limited',
  'auth-expired',
  'invalid-credentials',
  'rejected',
  'misconfigured',
  deliveryFailureTypes.rejected,
  deliveryFailureTypes.misconfigured,
  deliveryFailureTypes.authorizationExpired,
];

/** Back-off of the deliver activity; the activity mirrors the next attempt time from the same numbers. */
export const deliveryRetry = {
  initialIntervalMs: 2_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 10 * 60_000,
} as const;

export const deliveryWorkflowId = (documentId: string, connectionId: string) =>
  `delivery-${documentId}-${connectionId}`;
