import { ConnectorError } from '../errors';
import { httpFailure } from '../shared/http-failure';
import { elementsNamed, readSoapAnswer, soapEnvelope, type SoapFault } from '../shared/soap';
import { credentialRefusal, requestTarget, type TargetAnswer } from '../shared/target-request';
import type { WingsConfig } from './config';

const TARGET = 'Wings Online';

/** Who calls: the API user (Wings8…), its password (secret) and the file's internal number. */
export interface WingsAccess {
  username: string;
  password: string;
  internalNumber: number;
}

export interface WingsImport {
  journal: string;
  /** Our delivery id: Wings keeps it with the booking, so a retried import can be recognised. */
  externalReference: string;
  fileName: string;
  content: Buffer;
}

/** A SOAP answer as the calls below read it: its fault, or the text of a value by local name. */
interface SoapAnswer {
  fault?: SoapFault;
  value(localName: string): string | undefined;
}

/** Undefined when the text is not a SOAP envelope (an HTML error page, a proxy's answer). */
function readAnswer(text: string): SoapAnswer | undefined {
  try {
    const answer = readSoapAnswer(text);
    if ('fault' in answer) return { fault: answer.fault, value: () => undefined };
    return { value: (localName) => elementsNamed(answer.result, localName)[0]?.textContent ?? undefined };
  } catch {
    return undefined;
  }
}

/** The answer of a call, or the fault it ended with (status, fault, raw answer). */
type CallResult = { ok: true; answer: SoapAnswer } | { ok: false; raw: TargetAnswer; soap?: SoapAnswer };

/** The assumed Wings Online SOAP contract (README.md), one method per operation. */
export function createWingsClient(config: WingsConfig, access: WingsAccess) {
  async function call(
    operation: string,
    action: string,
    parameters: ReadonlyArray<readonly [string, string]>,
  ): Promise<CallResult> {
    const raw = await requestTarget(TARGET, action, config.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: `"${config.namespace}/${operation}"`,
      },
      body: soapEnvelope(config.namespace, operation, [
        ['UserName', access.username],
        ['Password', access.password],
        ['InternalNumber', String(access.internalNumber)],
        ...parameters,
      ]),
    });
    const soap = readAnswer(raw.body);
    const success = raw.status >= 200 && raw.status < 300;
    if (success && soap && !soap.fault) return { ok: true, answer: soap };
    if (success) {
      // A 2xx we cannot read (or a fault with 2xx) means the assumed contract is off: retry, loudly.
      throw new ConnectorError(
        'unavailable',
        `Wings Online sent an answer Relais cannot read (asked to ${action}).`,
        { status: raw.status },
      );
    }
    return { ok: false, raw, ...(soap ? { soap } : {}) };
  }

  return {
    /** The setup's harmless call: signs in to the file and names its company. */
    async checkLogin(): Promise<{ companyName: string }> {
      const result = await call(config.operations.checkLogin, 'check the sign-in', []);
      if (!result.ok) throw credentialRefusal(TARGET, faultAnswer(result));
      return {
        companyName: result.answer.value('CompanyName')?.trim() || `Wings file ${access.internalNumber}`,
      };
    },

    /** The booking Wings holds under our delivery id, if an earlier attempt got it there. */
    async findDocument(externalReference: string): Promise<string | undefined> {
      const action = 'look up an earlier import of the invoice';
      const result = await call(config.operations.findDocument, action, [
        ['ExternalReference', externalReference],
      ]);
      if (!result.ok) throw httpFailure(TARGET, action, faultAnswer(result));
      return result.answer.value('DocumentId')?.trim() || undefined;
    },

    /**
     * Imports one e-FFF document into a journal. Wings refuses a second import under the same external
     * reference with a DuplicateExternalReference fault naming the existing booking: `duplicate` says so.
     */
    async importDocument(input: WingsImport): Promise<{ documentId: string; duplicate: boolean }> {
      const action = `import the invoice ${input.fileName} into journal ${input.journal}`;
      const result = await call(config.operations.importDocument, action, [
        ['Journal', input.journal],
        ['ExternalReference', input.externalReference],
        ['FileName', input.fileName],
        ['Content', input.content.toString('base64')],
      ]);
      if (result.ok) {
        const documentId = result.answer.value('DocumentId')?.trim();
        if (documentId) return { documentId, duplicate: false };
        throw new ConnectorError(
          'unavailable',
          `Wings Online did not say which booking it made (asked to ${action}).`,
        );
      }
      const fault = result.soap?.fault;
      const existing = fault?.detail.DocumentId?.trim();
      if (result.raw.status === 409 && fault?.code.endsWith('DuplicateExternalReference') && existing) {
        return { documentId: existing, duplicate: true };
      }
      throw httpFailure(TARGET, action, faultAnswer(result));
    },
  };
}

/**
 * The failed answer as `httpFailure` reads it: the fault's text as the reason. SOAP 1.1 servers may
 * send every fault with HTTP 500; there a `Client` fault is the caller's mistake, read by its code.
 */
function faultAnswer(result: Extract<CallResult, { ok: false }>): TargetAnswer {
  const fault = result.soap?.fault;
  const status =
    result.raw.status === 500 && fault
      ? (clientFaultStatus[fault.code] ?? statusOfFault(fault.code))
      : result.raw.status;
  return { status, headers: result.raw.headers, body: fault?.message ?? result.raw.body };
}

/** The assumed fault codes of a refused sign-in or file (README.md), as the statuses they stand for. */
const clientFaultStatus: Record<string, number> = {
  'Client.Authentication': 401,
  'Client.Authorization': 403,
};

function statusOfFault(code: string): number {
  return /^Client\b/.test(code) ? 400 : 500;
}
