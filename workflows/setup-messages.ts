import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Administration, DocumentType, OutputFormat, SetupStep } from '../connectors/types';

/**
 * The setup workflow's messages, defined once: the workflow registers them and the API sends them.
 * Nothing here ever holds a secret: secrets travel as ids of encrypted records (`secretRef`, `codeRef`).
 */

export type SetupStatus = 'setting-up' | 'active' | 'cancelled' | 'expired' | 'failed';

export interface SetupInput {
  connectionId: string;
  tenantId: string;
  connectorId: string;
  documentType: DocumentType;
  /** `reauthorize` walks only the sign-in step and keeps the connection (and its id). */
  mode: 'create' | 'reauthorize';
  steps: SetupStep[];
  formats: OutputFormat[];
  termsVersion: string;
  /** The connector shares one grant per tenant: reuse an existing authorization instead of signing in. */
  sharedAuthorization: boolean;
  allowAllAdministrations: boolean;
  /** Settings kept from before (re-authorization: the pinned host key, the chosen administration). */
  settings: Record<string, unknown>;
  authorizationId?: string;
  expiryMs: number;
  oauthWaitMs: number;
}

export interface StepError {
  step: SetupStep | 'activation';
  code: string;
  message: string;
}

export interface SetupState {
  connectionId: string;
  connectorId: string;
  mode: SetupInput['mode'];
  status: SetupStatus;
  steps: SetupStep[];
  currentStep: SetupStep | null;
  completedSteps: SetupStep[];
  settings: Record<string, unknown>;
  /** Options of the administration step, listed from the target. */
  administrations?: Administration[];
  /** While the sign-in runs: the link to send the browser to, and when it stops being valid. */
  oauth?: { stateId: string; startUrl: string; expiresAt: string };
  authorization?: { id: string; accountName: string | null; reused: boolean };
  lastError?: StepError;
  /** When the setup expires if nobody touches it. */
  expiresAt: string;
}

export type StepInput =
  | { step: 'format'; format: OutputFormat }
  | { step: 'credentials'; values: Record<string, unknown>; secretRef?: string }
  | { step: 'oauth'; values: Record<string, unknown>; returnUrl: string }
  | { step: 'administration'; administrationIds: string[] | 'all'; values: Record<string, unknown> }
  | { step: 'terms'; accepted: boolean; termsVersion: string; acceptedBy: string };

export type OAuthOutcome =
  { stateId: string; codeRef: string } | { stateId: string; error: string; errorDescription?: string };

/** Waits until the workflow has prepared its first step, then returns the state (used with update-with-start). */
export const openSetupUpdate = defineUpdate<SetupState>('openSetup');
export const submitStepUpdate = defineUpdate<SetupState, [StepInput]>('submitStep');
export const completeOAuthUpdate = defineUpdate<SetupState, [OAuthOutcome]>('completeOAuth');
export const cancelSetupUpdate = defineUpdate<SetupState>('cancelSetup');
export const setupStateQuery = defineQuery<SetupState>('setupState');

/** Failure types the workflow raises to update callers; the API maps them to HTTP statuses. */
export const setupFailureTypes = {
  notCurrent: 'StepNotCurrent',
  invalidInput: 'InvalidStepInput',
  closed: 'SetupClosed',
  refused: 'TargetRefused',
  /** The connection left the setup meanwhile (disconnected, cancelled): it cannot be activated. */
  connectionClosed: 'ConnectionClosed',
} as const;

export const setupWorkflowId = (connectionId: string) => `setup-${connectionId}`;
