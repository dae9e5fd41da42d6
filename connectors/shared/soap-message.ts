/*
 * SOAP 1.1 messages, as far as a connector needs them: one request element with text parameters in
 * the service's namespace, and reading a response's values or its Fault by local name.
 */
import { create } from 'xmlbuilder2';
import { childElements, type XmlElement, type XmlNode } from '../../documents/ubl-dom';
import { assertWellFormed } from '../../documents/xml-guard';

const ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** `<soap:Envelope><soap:Body><w:{operation}>` with one child per parameter, in order. */
export function soapRequest(
  namespace: string,
  operation: string,
  parameters: ReadonlyArray<readonly [name: string, value: string]>,
): string {
  const call = create({ version: '1.0', encoding: 'utf-8' })
    .ele(ENVELOPE_NS, 'soap:Envelope')
    .ele(ENVELOPE_NS, 'soap:Body')
    .ele(namespace, `w:${operation}`);
  for (const [name, value] of parameters) call.ele(namespace, `w:${name}`).txt(value);
  return call.end();
}

export interface SoapFault {
  /** `faultcode` without its prefix, e.g. `Client.DuplicateExternalReference`. */
  code: string;
  message: string;
  /** Text of the elements under `detail`, by local name. */
  detail: Record<string, string>;
}

export interface SoapAnswer {
  fault?: SoapFault;
  /** Text of the first element with this local name in the Body (the response's values). */
  value(localName: string): string | undefined;
}

/**
 * Reads a SOAP answer; undefined when it is not well-formed XML or has no Body. DTDs are refused
 * before the parser sees the text (a service's answer is no more trusted than a document).
 */
export function readSoapAnswer(text: string): SoapAnswer | undefined {
  let document: XmlNode;
  try {
    assertWellFormed(text);
    document = create(text).node as unknown as XmlNode;
  } catch {
    return undefined;
  }
  const body = descendant(document, 'Body');
  if (!body) return undefined;
  const value = (localName: string) => descendant(body, localName)?.textContent ?? undefined;
  const fault = descendant(body, 'Fault');
  if (!fault) return { value };
  const detail = descendant(fault, 'detail');
  const faultText = (localName: string) => (descendant(fault, localName)?.textContent ?? '').trim();
  return {
    value,
    fault: {
      code: faultText('faultcode').replace(/^[^:]*:/, ''),
      message: faultText('faultstring'),
      detail: Object.fromEntries(
        (detail ? childElements(detail) : []).map((element) => [
          element.localName,
          element.textContent ?? '',
        ]),
      ),
    },
  };
}

/** The first element below `parent` (depth first) with this local name, whatever its namespace. */
function descendant(parent: XmlNode, localName: string): XmlElement | undefined {
  for (const element of childElements(parent)) {
    if (element.localName === localName) return element;
    const found = descendant(element, localName);
    if (found) return found;
  }
  return undefined;
}
