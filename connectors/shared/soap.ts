import { create } from 'xmlbuilder2';
import { isElement, childElements, type XmlDocument, type XmlElement } from '../../documents/ubl-dom';
import { decodeXml } from '../../documents/xml-decode';
import { assertWellFormed } from '../../documents/xml-guard';

/*
 * SOAP 1.1 for targets with ASMX-style web services (document/literal, one element per method in the
 * service's namespace, one child element per parameter). Envelopes are built with xmlbuilder2, answers
 * go through the project's XML guard (no DTD, well-formed) before xmlbuilder2 reads them. No WSDL is
 * fetched: each connector declares the calls it makes.
 */

export const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';

export type SoapValue = string | number | boolean;

/** The `SOAPAction` header value of a method: the quoted namespace + method name, as ASMX expects it. */
export function soapAction(namespace: string, method: string): string {
  return `"${namespace}${method}"`;
}

/** A SOAP 1.1 request: `<method xmlns="namespace">` with one child per parameter, in the order given. */
export function soapEnvelope(
  namespace: string,
  method: string,
  params: ReadonlyArray<readonly [string, SoapValue]>,
): string {
  const call = create({ version: '1.0', encoding: 'utf-8' })
    .ele(SOAP_ENVELOPE_NAMESPACE, 'soap:Envelope')
    .ele(SOAP_ENVELOPE_NAMESPACE, 'soap:Body')
    .ele(namespace, method);
  for (const [name, value] of params) {
    // xmlbuilder2 writes "&name;" in text unescaped (it takes it for an entity reference): escaping
    // every "&" first keeps a value such as "R&D" or "&copy;" literal (see documents/xml-write.ts).
    call.ele(namespace, name).txt(String(value).replace(/&/g, '&amp;'));
  }
  return call.end();
}

export interface SoapFault {
  /** faultcode without its prefix: `Client`, `Server`, `Client.DuplicateExternalReference`, ... */
  code: string;
  message: string;
  /** Text of the elements under `detail`, by local name. */
  detail: Record<string, string>;
}

export type SoapAnswer = { result: XmlElement } | { fault: SoapFault };

/**
 * Reads a SOAP 1.1 answer: the first element of the Body (the method's `...Response`), or its Fault.
 * Throws an Error saying what is wrong when the text is not a SOAP envelope (the caller classifies it).
 */
export function readSoapAnswer(body: Buffer | string): SoapAnswer {
  const xml = decodeXml(body).replace(/\r\n?/g, '\n');
  assertWellFormed(xml);
  const document = create(xml).node as unknown as XmlDocument;
  const envelope = document.documentElement;
  if (!envelope || envelope.localName !== 'Envelope' || envelope.namespaceURI !== SOAP_ENVELOPE_NAMESPACE) {
    throw new Error('the answer is not a SOAP 1.1 envelope');
  }
  const soapBody = childElements(envelope).find(
    (element) => element.localName === 'Body' && element.namespaceURI === SOAP_ENVELOPE_NAMESPACE,
  );
  const first = soapBody ? childElements(soapBody)[0] : undefined;
  if (!first) throw new Error('the SOAP answer has an empty Body');
  if (first.localName === 'Fault' && first.namespaceURI === SOAP_ENVELOPE_NAMESPACE) {
    const code = textOfChild(first, 'faultcode') ?? 'Server';
    const detail = childElements(first).find((element) => element.localName === 'detail');
    return {
      fault: {
        code: code.replace(/^[^:]*:/, ''),
        message: textOfChild(first, 'faultstring') ?? '',
        detail: Object.fromEntries(
          (detail ? childElements(detail) : []).map((element) => [
            element.localName,
            element.textContent ?? '',
          ]),
        ),
      },
    };
  }
  return { result: first };
}

/** Text of the first child element named `localName` (any namespace), trimmed; undefined when absent. */
export function textOfChild(parent: XmlElement, localName: string): string | undefined {
  const found = childElements(parent).find((element) => element.localName === localName);
  const text = found?.textContent?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/** Every element below `parent` named `localName` (any namespace), in document order. */
export function elementsNamed(parent: XmlElement, localName: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (element: XmlElement): void => {
    for (const child of childElements(element)) {
      if (isElement(child) && child.localName === localName) found.push(child);
      walk(child);
    }
  };
  walk(parent);
  return found;
}
