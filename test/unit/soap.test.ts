import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elementsNamed, readSoapAnswer, soapEnvelope, type SoapAnswer } from '../../connectors/shared/soap';

const NS = 'urn:example:service';
const envelope = (body: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;
const resultOf = (answer: SoapAnswer) => ('result' in answer ? answer.result : assert.fail('a fault'));

test('a request puts the operation and its parameters in the namespace, text escaped, entities kept literal', () => {
  const xml = soapEnvelope(NS, 'Import', [
    ['Name', 'A&B <Ltd> &copy;'],
    ['Empty', ''],
  ]);
  assert.match(xml, /<soap:Envelope xmlns:soap="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/">/);
  assert.match(
    xml,
    /<Import xmlns="urn:example:service"><Name>A&amp;B &lt;Ltd&gt; &amp;copy;<\/Name><Empty\/?>/,
  );
  // What we send, we read back the same (the fakes and Relais agree on escaping).
  const [name] = elementsNamed(resultOf(readSoapAnswer(xml)), 'Name');
  assert.equal(name?.textContent, 'A&B <Ltd> &copy;');
});

test('an answer’s values are read by local name, whatever the prefix', () => {
  const result = resultOf(
    readSoapAnswer(envelope(`<x:R xmlns:x="${NS}"><x:DocumentId> 42 </x:DocumentId></x:R>`)),
  );
  assert.equal(result.localName, 'R');
  assert.equal(elementsNamed(result, 'DocumentId')[0]?.textContent, ' 42 ');
  assert.deepEqual(elementsNamed(result, 'Missing'), []);
});

test('a fault gives its code without prefix, its text and its detail', () => {
  const answer = readSoapAnswer(
    envelope(
      `<s:Fault><faultcode>s:Client.Duplicate</faultcode><faultstring> Already there </faultstring>` +
        `<detail><x:DocumentId xmlns:x="${NS}">7</x:DocumentId></detail></s:Fault>`,
    ),
  );
  assert.deepEqual(answer, {
    fault: { code: 'Client.Duplicate', message: 'Already there', detail: { DocumentId: '7' } },
  });
});

test('what is not a SOAP answer is refused with a reason: plain text, HTML, no envelope, a DTD', () => {
  assert.throws(() => readSoapAnswer('OK'));
  assert.throws(() => readSoapAnswer('<html><body>Bad gateway</body></html>'), /not a SOAP 1\.1 envelope/);
  assert.throws(() => readSoapAnswer('<a><b></a>'), 'not well-formed');
  const withEntity = `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x "boom">]>${envelope('<R>&x;</R>').replace('<?xml version="1.0"?>', '')}`;
  assert.throws(() => readSoapAnswer(withEntity), 'DTDs and entities are refused');
});
