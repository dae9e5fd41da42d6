import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { SetupStep } from '../../connectors/types';
import { setupFailureTypes, type SetupInput, type SetupState } from '../setup-messages';
import { activate } from './activation';
import { fail, storeCalls, targetCalls } from './calls';

/** What a setup knows between steps: the state the frontend sees, plus what only the workflow keeps. */
export class SetupMachine {
  readonly state: SetupState;
  authorizationId: string | undefined;
  scopes: string[] = [];
  consent: { termsVersion: string; acceptedBy: string; acceptedAt: string } | undefined;
  prepared = false;
  touchedAt: number;
  oauthDeadline: number | undefined;
  /** The step whose submission is being handled (a credentials check can take seconds). */
  submitting: SetupStep | undefined;
  readonly base: { tenantId: string; connectionId: string; connectorId: string };

  constructor(readonly input: SetupInput) {
    this.state = {
      connectionId: input.connectionId,
      connectorId: input.connectorId,
      mode: input.mode,
      status: 'setting-up',
      steps: input.steps,
      currentStep: input.steps[0] ?? null,
      completedSteps: [],
      settings: { ...input.settings },
      expiresAt: new Date(Date.now() + input.expiryMs).toISOString(),
    };
    this.authorizationId = input.authorizationId;
    this.touchedAt = Date.now();
    this.base = {
      tenantId: input.tenantId,
      connectionId: input.connectionId,
      connectorId: input.connectorId,
    };
  }

  /** Runs a step's work; a refusal is recorded for the frontend and re-thrown to the update caller. */
  async attempt<T>(step: SetupState['currentStep'] & string, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      delete this.state.lastError;
      return result;
    } catch (error) {
      const cause = error instanceof ActivityFailure ? error.cause : error;
      if (cause instanceof ApplicationFailure && cause.type === setupFailureTypes.refused) {
        const code = String((cause.details?.[0] as { kind?: string } | undefined)?.kind ?? 'refused');
        this.state.lastError = { step, code, message: cause.message };
        throw fail(setupFailureTypes.refused, cause.message, code);
      }
      throw error;
    }
  }

  async advance(): Promise<void> {
    const state = this.state;
    const done = state.currentStep;
    if (done) state.completedSteps.push(done);
    state.currentStep = state.steps[state.steps.indexOf(done as SetupStep) + 1] ?? null;
    await this.enterStep();
  }

  /** Work a step needs before it can be shown: reuse a shared grant, list the administrations. */
  async enterStep(): Promise<void> {
    const { state, input } = this;
    if (state.currentStep === 'oauth' && input.sharedAuthorization && input.mode === 'create') {
      const shared = await storeCalls.findSharedAuthorization({
        tenantId: input.tenantId,
        connectorId: input.connectorId,
      });
      if (shared) {
        this.authorizationId = shared.id;
        state.authorization = { id: shared.id, accountName: shared.accountName, reused: true };
        state.settings = { ...shared.settings, ...state.settings };
        return this.advance();
      }
    }
    if (state.currentStep === 'administration') {
      state.administrations = await this.attempt('administration', () =>
        targetCalls.listAdministrations({
          ...this.base,
          authorizationId: this.authorizationId!,
          settings: state.settings,
        }),
      );
    }
    if (state.currentStep === null) await activate(this);
  }

  touch(): void {
    this.touchedAt = Date.now();
    this.state.expiresAt = new Date(this.touchedAt + this.input.expiryMs).toISOString();
  }
}
