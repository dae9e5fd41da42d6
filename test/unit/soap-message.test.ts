import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSoapAnswer, soapRequest } from '../../connectors/shared/soap-message';

const NS = 'urn:example:service';
const envelope = (body: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;

test('a request puts the operation and its parameters in the namespace, text escaped', () => {
  const xml = soapRequest(NS, 'Import', [
    ['Name', 'A&B <Ltd>'],
    ['Empty', ''],
  ]);
  assert.match(xml, /<soap:Envelope xmlns:soap="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/">/);
  assert.match(
    xml,
    /<w:Import xmlns:w="urn:example:service"><w:Name>A&amp;B &lt;Ltd&gt;<\/w:Name><w:Empty><\/w:Empty>/,
  );
  // What we send, we read back the same (the fakes and Relais agree on escaping).
  assert.equal(readSoapAnswer(xml)?.value('Name'), 'A&B <Ltd>');
});

test('an answer’s values are read by local name, whatever the prefix', () => {
  const answer = readSoapAnswer(envelope(`<x:R xmlns:x="${NS}"><x:DocumentId> 42 </x:DocumentId></x:R>`));
  assert.equal(answer?.fault, undefined);
  assert.equal(answer?.value('DocumentId'), ' 42 ');
  assert.equal(answer?.value('Missing'), undefined);
});

test('a fault gives its code without prefix, its text and its detail', () => {
  const answer = readSoapAnswer(
    envelope(
      `<s:Fault><faultcode>s:Client.Duplicate</faultcode><faultstring> Already there </faultstring>` +
        `<detail><x:DocumentId xmlns:x="${NS}">7</x:DocumentId></detail></s:Fault>`,
    ),
  );
  assert.deepEqual(answer?.fault, {
    code: 'Client.Duplicate',
    message: 'Already there',
    detail: { DocumentId: '7' },
  });
});

test('what is not a SOAP answer is not read: plain text, HTML, no Body, a DTD', () => {
  assert.equal(readSoapAnswer('OK'), undefined);
  assert.equal(readSoapAnswer('<html><body>Bad gateway</body></html>'), undefined);
  assert.equal(readSoapAnswer('<a><b/></a>'), undefined);
  assert.equal(readSoapAnswer('<a><b></a>'), undefined, 'not well-formed');
  const withEntity = `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x "boom">]>${envelope('<R>&x;</R>').replace('<?xml version="1.0"?>', '')}`;
  assert.equal(readSoapAnswer(withEntity), undefined, 'DTDs and entities are refused');
});
