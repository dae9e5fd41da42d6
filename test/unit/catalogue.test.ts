/*
 * The connector catalogue as the API serves it: every connector folder, loaded through the registry,
 * must describe itself completely and consistently, and its form fields must accept realistic values
 * and refuse wrong ones with a message a person can act on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createConnectorRegistry } from '../../connectors/registry';
import type { ConnectorDescriptor, FieldDescriptor, Localized } from '../../connectors/types';
import { documentTypes, locales, setupStepOrder } from '../../connectors/types';
import { belgianVatNumber } from '../../connectors/shared/validators';

/** The seed targets of the original hub's help page. */
const seedTargetIds = [
  'bocount',
  'count-e',
  'dropbox',
  'exact-online',
  'lyanthe',
  'octopus',
  'onea',
  'onedrive-business',
  'pingwin',
  'sftp',
  'wings-online',
  'yuki',
  'zenvoices',
];

interface FieldSamples {
  /** Realistic values a user would enter; each must be accepted. */
  valid: unknown[];
  /** Values the schema must rewrite to a canonical form: [entered, kept]. */
  normalized?: Array<[unknown, unknown]>;
  /** Wrong values and the message the user must see for each. */
  invalid: Array<[unknown, RegExp]>;
}

/** One entry per field of every connector (`<connector id>.<field name>`). */
const samples: Record<string, FieldSamples> = {
  'bocount.username': {
    valid: ['ws-client-0042'],
    invalid: [
      ['   ', /Enter the BoCount web service user name/],
      ['w'.repeat(256), /at most 255 characters/],
    ],
  },
  'bocount.password': {
    valid: ['s3cret! with spaces'],
    invalid: [
      ['', /Enter the BoCount web service password/],
      ['p'.repeat(1025), /at most 1024 characters/],
    ],
  },
  'bocount.companyNumber': {
    valid: ['BE0123456749', 'be 0827.405.743', '0827405743', 'BE1000000021'],
    normalized: [
      ['BE 0827.405.743', 'BE0827405743'],
      ['827405743', 'BE0827405743'],
    ],
    invalid: [
      ['BE0123456748', /not a valid Belgian VAT number: the last two digits do not match/],
      ['BE12345', /BE followed by 10 digits/],
      ['NL123456789B01', /BE followed by 10 digits/],
      ['BE2123456749', /BE followed by 10 digits/],
    ],
  },
  'bocount.baseUrl': {
    valid: [
      'https://webservice.kantoor-peeters.be/bocount',
      'https://bocount.accountancy-dewitte.be:8443/api/',
    ],
    invalid: [
      ['http://webservice.kantoor-peeters.be', /must start with https:\/\//],
      ['webservice.kantoor-peeters.be', /full web address, starting with https:\/\//],
      ['ftp://webservice.kantoor-peeters.be', /must start with https:\/\//],
      ['https://jan:geheim@webservice.kantoor-peeters.be', /Leave the user name and password out/],
    ],
  },
  'count-e.username': { valid: ['j.peeters'], invalid: [['', /Enter the Count-e user name/]] },
  'count-e.password': { valid: ['Zomer2026!'], invalid: [['', /Enter the Count-e password/]] },
  'count-e.apiUrl': {
    valid: ['https://api.count-e.example/instance/42'],
    invalid: [['http://api.count-e.example', /must start with https:\/\//]],
  },
  'count-e.database': {
    valid: ['DOSSIER_PEETERS'],
    invalid: [
      ['', /Enter the name of the Count-e database/],
      ['D'.repeat(256), /at most 255 characters/],
    ],
  },
  'count-e.customerNumber': {
    valid: ['100234'],
    invalid: [
      ['  ', /Enter your customer number on the e-invoicing platform/],
      ['C-1\r\nX-Evil: 1', /letters, digits and punctuation only/],
      ['9'.repeat(101), /at most 100 characters/],
    ],
  },
  'lyanthe.username': {
    valid: ['an.janssens@kantoor.be'],
    invalid: [
      ['', /Enter your Lyanthe user name/],
      ['x'.repeat(257), /at most 256 characters/],
    ],
  },
  'lyanthe.password': {
    valid: ['correct horse battery staple'],
    invalid: [
      ['', /Enter your Lyanthe password/],
      ['x'.repeat(1025), /too long to be a password/],
    ],
  },
  'octopus.mailbox': {
    // Another domain is accepted (the setup warns): Octopus could add one; the shape is still an address.
    valid: [
      'u12345@docin.octopus.be',
      'kantoor.peeters-AANKOOP@docin.octopus.be',
      'K0042@DOCIN.OCTOPUS.BE',
      'u12345@octopus.be',
    ],
    invalid: [
      ['u12345', /one e-mail address, ending in @docin\.octopus\.be/],
      ['u12345@', /one e-mail address, ending in @docin\.octopus\.be/],
      ['a@docin.octopus.be, b@docin.octopus.be', /one e-mail address, ending in @docin\.octopus\.be/],
      ['Dossier <u12345@docin.octopus.be>', /one e-mail address, ending in @docin\.octopus\.be/],
      ['', /Enter the mailbox address of the Octopus dossier/],
    ],
  },
  'onea.apiKey': {
    valid: ['6f1c2d9e-83a4-4b7a-9c55-0d2e7f4a1b3c'],
    invalid: [
      ['', /Enter the Onea API key of the dossier/],
      ['6f1c2d9e 83a4', /without spaces or line breaks/],
      ['k'.repeat(201), /longer than an Onea API key/],
    ],
  },
  'pingwin.apiKey': {
    valid: ['pw_live_7Hq2kD9sLm'],
    invalid: [
      ['', /Enter the PingWin API key/],
      ['k'.repeat(501), /at most 500 characters: paste only the key/],
    ],
  },
  'pingwin.clid': {
    valid: ['CL-20931'],
    invalid: [
      ['', /CLID you received from PingWin support/],
      ['C'.repeat(101), /CLID is at most 100 characters/],
    ],
  },
  'pingwin.fileId': {
    valid: ['4711'],
    invalid: [
      ['', /Enter the ID of your PingWin file/],
      ['9'.repeat(101), /file ID is at most 100 characters/],
    ],
  },
  'wings-online.username': {
    valid: ['Wings8123', 'Wings80001'],
    invalid: [
      ['Wings123', /always starts with Wings8/],
      ['jan.peeters', /always starts with Wings8/],
      ['', /Enter the Wings API user name/],
      [`Wings8${'1'.repeat(95)}`, /user name is at most 100 characters/],
    ],
  },
  'wings-online.password': {
    valid: ['p@ss word'],
    invalid: [
      ['', /Enter the Wings API password/],
      ['p'.repeat(501), /password is at most 500 characters/],
    ],
  },
  'wings-online.internalNumber': {
    valid: [12, '7'],
    normalized: [['7', 7]],
    invalid: [
      ['abc', /internal number from the Wings configuration/],
      [0, /internal number from the Wings configuration/],
      [2.5, /internal number from the Wings configuration/],
    ],
  },
  'wings-online.receivablesJournal': {
    valid: ['VK'],
    invalid: [
      ['', /accounts receivable journal/],
      ['X'.repeat(21), /at most 20 characters/],
    ],
  },
  'wings-online.payablesJournal': { valid: ['AK1'], invalid: [['', /accounts payable journal/]] },
  'yuki.apiKey': {
    valid: ['a1b2c3d4-e5f6-47a8-b9c0-d1e2f3a4b5c6'],
    invalid: [['', /Enter your Yuki API key \(of type Domain\)/]],
  },
  'yuki.country': {
    valid: ['be', 'nl'],
    invalid: [['fr', /Choose the country of your Yuki administration/]],
  },
  'zenvoices.username': {
    valid: ['boekhouding@peeters.be'],
    invalid: [['', /Zenvoices user name or e-mail/]],
  },
  'zenvoices.password': {
    valid: ['Winter-2026'],
    invalid: [
      ['', /Enter your Zenvoices password/],
      ['x'.repeat(1025), /too long to be a password/],
    ],
  },
  'zenvoices.organisationCode': {
    valid: ['peeters'],
    invalid: [
      ['', /Zenvoices organisation code/],
      ['x'.repeat(65), /at most 64 characters/],
    ],
  },
  'zenvoices.mailbox': {
    valid: ['10130.3195@to-zenvoices.com', 'Inkoop.3195@TO-ZENVOICES.COM'],
    invalid: [
      ['boekhouding@peeters.be', /ends in @to-zenvoices\.com/],
      ['10130.3195@to-zenvoices.com.example.org', /ends in @to-zenvoices\.com/],
      ['', /Zenvoices e-mail address/],
    ],
  },
  'sftp.username': { valid: ['invoices'], invalid: [['', /Enter the user name of the SSH account/]] },
  'sftp.password': {
    valid: ['correct horse battery staple', ''],
    invalid: [['x'.repeat(16_385), /too long to be a password or key/]],
  },
  'sftp.privateKey': {
    valid: [
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----',
    ],
    invalid: [['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI jan@laptop', /Paste the whole private key/]],
  },
  'sftp.host': {
    valid: ['sftp.kantoor-peeters.be', '192.0.2.10'],
    invalid: [
      ['sftp://sftp.kantoor-peeters.be', /without sftp:\/\//],
      ['sftp.kantoor-peeters.be:2222', /port number goes in the Port field/],
    ],
  },
  'sftp.port': { valid: [22, '2222'], invalid: [[70_000, /port number between 1 and 65535/]] },
  'sftp.uploadPath': {
    valid: ['Invoice_import/[uen_number]/[invoice_type]/[year]/'],
    normalized: [['', 'Invoice_import/']],
    invalid: [
      ['../etc', /cannot go up a folder/],
      ['Invoice_import/[month]/', /Unknown variable \[month\]/],
    ],
  },
  'sftp.trustHostKey': {
    valid: ['SHA256:WX6cJ8Lol3MggyWTm/HCepAGrdCwLc/za9fbXk2+ItY'],
    invalid: [['MD5:aa:bb', /SHA256: followed by 43 characters/]],
  },
  'exact-online.site': { valid: ['be', 'nl'], invalid: [['xx', /Choose the country of your Exact Online/]] },
  'exact-online.companyCode': {
    valid: ['', '123456'],
    invalid: [['ABC', /company code as shown in Exact Online/]],
  },
  'onedrive-business.folder': {
    valid: ['Invoice_import/', 'Boekhouding/Aankopen 2026', 'Factures #1 & Co/'],
    normalized: [
      ['', 'Invoice_import/'],
      ['  Factures/ ', 'Factures/'],
    ],
    invalid: [
      ['Factures:2026/', /contains :, which OneDrive does not allow/],
      ['~tmp/', /starts with ~/],
      ['Factures./', /ends with a dot or a space/],
      ['a\\b', /Separate folders with \//],
    ],
  },
  'onedrive-business.sharedLibrary': {
    valid: ['b!Xp3kTq9ZUE6GzWbbF8d7wQ1aJ2cK_mN-oPqRsTuVwXyZ0123456789abcdEFGH'],
    normalized: [[' b!Xp3kTq9Z ', 'b!Xp3kTq9Z']],
    invalid: [
      ['https://contoso.sharepoint.com/sites/Finance', /only letters, digits and ! _ -/],
      ['b!abc/../../me', /only letters, digits and ! _ -/],
      ['b!' + 'x'.repeat(300), /at most 200 characters/],
    ],
  },
};

/** Zod's own messages ("Invalid input: expected string...") mean a schema forgot to say what to enter. */
const zodDefaultMessage = /^(Invalid (input|string|option|email|url|URL|value)|Too (small|big))\b/;

const registry = createConnectorRegistry({});
const catalogue = registry.list();

function firstMessage(field: FieldDescriptor, value: unknown): string | undefined {
  const result = field.schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

function assertTranslated(text: Localized, where: string, options: { distinct: boolean }): void {
  for (const locale of locales) assert.ok(text[locale]?.trim(), `${where}: the ${locale} text is empty`);
  if (options.distinct) {
    assert.equal(
      new Set(locales.map((locale) => text[locale])).size,
      locales.length,
      `${where}: not translated`,
    );
  }
}

test('the catalogue lists the 13 seed targets, each from its own folder', () => {
  assert.deepEqual(catalogue.map((d) => d.id).sort(), [...seedTargetIds].sort());
  for (const id of seedTargetIds) assert.equal(registry.descriptor(id)?.id, id);
});

test('list() filters by document type', () => {
  for (const documentType of documentTypes) {
    const listed = registry.list({ documentType });
    assert.deepEqual(
      listed.map((d) => d.id),
      catalogue.filter((d) => d.documentTypes.includes(documentType)).map((d) => d.id),
    );
    assert.ok(listed.length > 0, `no connector carries ${documentType}`);
  }
  assert.deepEqual(registry.list({}), catalogue);
});

for (const descriptor of catalogue) {
  test(`${descriptor.id}: names, summary, help and labels exist in fr, nl and en`, () => {
    assert.match(descriptor.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(descriptor.displayName.trim());
    assertTranslated(descriptor.names, 'names', { distinct: false });
    assertTranslated(descriptor.summary, 'summary', { distinct: true });
    assertTranslated(descriptor.help, 'help', { distinct: true });
    for (const field of descriptor.fields) {
      assertTranslated(field.label, `${field.name} label`, { distinct: false });
      if (field.help) assertTranslated(field.help, `${field.name} help`, { distinct: true });
      for (const option of field.options ?? [])
        assertTranslated(option.label, `${field.name} option`, { distinct: false });
    }
    for (const format of descriptor.formats)
      assertTranslated(format.label, `format ${format.id}`, { distinct: false });
  });

  test(`${descriptor.id}: steps, fields, formats and authorization fit together`, () => {
    const positions = descriptor.steps.map((step) => setupStepOrder.indexOf(step));
    assert.ok(
      positions.every((position, i) => position >= 0 && (i === 0 || position > (positions[i - 1] ?? -1))),
      `steps ${descriptor.steps.join(', ')} are not in the order ${setupStepOrder.join(', ')}`,
    );

    const names = descriptor.fields.map((field) => field.name);
    assert.equal(new Set(names).size, names.length, `duplicate field names: ${names.join(', ')}`);
    for (const field of descriptor.fields) {
      assert.ok(
        descriptor.steps.includes(field.step),
        `${field.name} belongs to step ${field.step}, not declared`,
      );
      if (field.secret)
        assert.ok(['password', 'textarea'].includes(field.input), `${field.name} shows a secret`);
      if (/password|secret|api-?key|token|private-?key/i.test(field.name)) {
        assert.ok(field.secret, `${field.name} must be marked secret`);
      }
    }
    if (descriptor.steps.includes('credentials')) {
      assert.ok(descriptor.fields.some((field) => field.step === 'credentials'));
    }

    assert.ok(descriptor.formats.length > 0, 'no output format');
    assert.equal(new Set(descriptor.formats.map((format) => format.id)).size, descriptor.formats.length);
    assert.equal(
      descriptor.steps.includes('format'),
      descriptor.formats.length > 1,
      'a format step iff a choice',
    );

    assert.equal(
      descriptor.oauth !== undefined,
      descriptor.steps.includes('oauth'),
      'oauth block iff oauth step',
    );
    assert.equal(
      descriptor.auth === 'oauth2',
      descriptor.steps.includes('oauth'),
      'oauth2 auth iff oauth step',
    );
    assert.equal(
      descriptor.administration !== undefined,
      descriptor.steps.includes('administration'),
      'administration block iff administration step',
    );

    assert.ok(descriptor.documentTypes.length > 0, 'carries no document type');
    assert.ok(descriptor.documentTypes.every((type) => documentTypes.includes(type)));
    assert.equal(new Set(descriptor.documentTypes).size, descriptor.documentTypes.length);

    const { maxDocumentBytes, requestsPerDay, requestsPerMinute } = descriptor.limits;
    assert.ok(Number.isInteger(maxDocumentBytes) && maxDocumentBytes >= 1024 * 1024, 'maxDocumentBytes');
    for (const rate of [requestsPerDay, requestsPerMinute])
      assert.ok(rate === undefined || Number.isInteger(rate));
    assert.match(descriptor.termsVersion, /^\d{4}-\d{2}$/);
  });

  test(`${descriptor.id}: every field accepts realistic values and refuses wrong ones with a plain message`, () => {
    for (const field of descriptor.fields) {
      const key = `${descriptor.id}.${field.name}`;
      const sample = samples[key];
      assert.ok(sample, `list a valid and an invalid value for ${key} in test/unit/catalogue.test.ts`);
      assert.ok(
        sample.valid.length > 0 && sample.invalid.length > 0,
        `${key} needs valid and invalid samples`,
      );

      const accepted = [...sample.valid, ...(field.default === undefined ? [] : [field.default])];
      for (const option of field.options ?? []) accepted.push(option.value);
      for (const value of accepted) {
        assert.equal(firstMessage(field, value), undefined, `${key} refuses ${JSON.stringify(value)}`);
      }
      if (field.options && field.default !== undefined) {
        assert.ok(
          field.options.some((option) => option.value === field.default),
          `${key}: default not an option`,
        );
      }
      for (const [entered, kept] of sample.normalized ?? []) {
        assert.deepEqual(field.schema.parse(entered), kept, `${key} keeps ${JSON.stringify(entered)}`);
      }

      const refused: Array<[unknown, RegExp | undefined]> = [...sample.invalid];
      if (field.required) {
        refused.push(['', undefined]);
        if (field.default === undefined) refused.push([undefined, undefined]);
      }
      for (const [value, expected] of refused) {
        const message = firstMessage(field, value);
        assert.ok(message !== undefined, `${key} accepts ${JSON.stringify(value)}`);
        assert.doesNotMatch(message, zodDefaultMessage, `${key}: "${message}" is not a plain message`);
        if (expected)
          assert.match(message, expected, `${key} refuses ${JSON.stringify(value)} for another reason`);
      }
    }
  });

  if (!descriptor.available) {
    test(`${descriptor.id}: an unavailable connector offers no behaviour`, () => {
      assert.throws(() => registry.implementation(descriptor.id), /not available yet/);
    });
  }
}

test('a Belgian VAT number is accepted exactly when its last two digits are the mod-97 check', () => {
  const schema = belgianVatNumber('Enter the VAT number');
  const withCheck = (firstEight: number) => {
    const check = 97 - (firstEight % 97);
    return `${String(firstEight).padStart(8, '0')}${String(check).padStart(2, '0')}`;
  };
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 19_999_999 }),
      fc.integer({ min: 1, max: 96 }),
      (firstEight, offset) => {
        const number = withCheck(firstEight);
        assert.equal(schema.parse(`BE${number}`), `BE${number}`);
        const wrongCheck = ((Number(number.slice(8)) + offset - 1) % 97) + 1;
        const wrong = `BE${number.slice(0, 8)}${String(wrongCheck).padStart(2, '0')}`;
        assert.equal(schema.safeParse(wrong).success, false, wrong);
      },
    ),
  );
});

/** Keeps the sample table honest: an entry for a field that no longer exists is a stale test. */
test('every sample belongs to a field in the catalogue', () => {
  const fields = new Set(
    catalogue.flatMap((d: ConnectorDescriptor) => d.fields.map((f) => `${d.id}.${f.name}`)),
  );
  const presentIds = new Set(catalogue.map((d) => d.id));
  for (const key of Object.keys(samples)) {
    if (presentIds.has(key.split('.')[0] ?? '')) assert.ok(fields.has(key), `${key} is not a field any more`);
  }
});
