import type { OAuthOutcome, StepInput } from '../setup-messages';
import { setupFailureTypes } from '../setup-messages';
import { fail } from './calls';
import type { SetupMachine } from './machine';

export function assertOpen(m: SetupMachine): void {
  if (m.state.status !== 'setting-up')
    throw fail(setupFailureTypes.closed, `This setup is ${m.state.status}.`);
}

export function assertSubmittable(m: SetupMachine, step: StepInput): void {
  assertOpen(m);
  if (m.submitting) {
    throw fail(
      setupFailureTypes.notCurrent,
      `The ${m.submitting} step is already being checked; wait for its answer.`,
    );
  }
  if (step.step !== m.state.currentStep) {
    throw fail(
      setupFailureTypes.notCurrent,
      `The current step is "${m.state.currentStep}", not "${step.step}".`,
    );
  }
}

/** The submitStep validator: the step is the current one and its input is acceptable. */
export function validateStep(m: SetupMachine, step: StepInput): void {
  const { input } = m;
  assertSubmittable(m, step);
  if (step.step === 'format' && !input.formats.includes(step.format)) {
    throw fail(setupFailureTypes.invalidInput, `Choose one of the formats: ${input.formats.join(', ')}.`);
  }
  if (step.step === 'administration') validateAdministrations(m, step.administrationIds);
  if (step.step === 'terms' && (!step.accepted || step.termsVersion !== input.termsVersion)) {
    throw fail(
      setupFailureTypes.invalidInput,
      `Accept the terms of service (version ${input.termsVersion}) to connect.`,
    );
  }
}

/** The completeOAuth validator: the callback belongs to the sign-in the setup is waiting for. */
export function validateOAuthOutcome(m: SetupMachine, outcome: OAuthOutcome): void {
  assertOpen(m);
  if (m.state.currentStep !== 'oauth' || m.state.oauth?.stateId !== outcome.stateId) {
    throw fail(setupFailureTypes.notCurrent, 'This sign-in is not the one the setup is waiting for.');
  }
}

function validateAdministrations(m: SetupMachine, ids: string[] | 'all'): void {
  if (ids === 'all') {
    if (!m.input.allowAllAdministrations)
      throw fail(setupFailureTypes.invalidInput, 'Choose an administration.');
    return;
  }
  const known = new Set((m.state.administrations ?? []).map((a) => a.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (ids.length === 0 || unknown.length) {
    throw fail(
      setupFailureTypes.invalidInput,
      `Choose among the administrations listed${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`,
    );
  }
}
