/*
 * The addresses customers allow-list for SFTP are the operator's (RELAIS_OUTBOUND_IPS): with none
 * configured the catalogue says nothing about them, and no address is made up anywhere in the code.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { presentConnector } from '../../api/present-connector';
import { createConnectorRegistry } from '../../connectors/registry';
import { locales } from '../../connectors/types';
import { loadConfig } from '../../platform/config';

const root = path.resolve(__dirname, '../..');
/** What the original help page listed: another company's addresses. */
const madeUp = ['18.156.159.72', '18.157.141.1', '3.127.17.114'];
const allowListWords = /allow-list|liste autorisée|toelatingslijst/i;

function catalogue(outboundIps: string[]) {
  const registry = createConnectorRegistry({});
  return locales.map((locale) => ({
    locale,
    integrations: registry.list().map((descriptor) => presentConnector(descriptor, locale, outboundIps)),
  }));
}

test('without RELAIS_OUTBOUND_IPS the catalogue names no address to allow-list', () => {
  for (const { locale, integrations } of catalogue([])) {
    const text = JSON.stringify(integrations);
    for (const address of madeUp) assert.ok(!text.includes(address), `${address} in the ${locale} catalogue`);
    const sftp = integrations.find((integration) => integration.id === 'sftp')!;
    assert.doesNotMatch(sftp.help, allowListWords, `the ${locale} SFTP help speaks of an allow-list`);
    assert.deepEqual(sftp.outboundIpAddresses, []);
  }
});

test('with RELAIS_OUTBOUND_IPS the SFTP help names those addresses, in every language', () => {
  const configured = ['203.0.113.7', '2001:db8::7'];
  for (const { locale, integrations } of catalogue(configured)) {
    const sftp = integrations.find((integration) => integration.id === 'sftp')!;
    assert.match(sftp.help, allowListWords);
    assert.ok(sftp.help.includes('203.0.113.7, 2001:db8::7'), `the ${locale} help: ${sftp.help}`);
    const others = integrations.filter((integration) => integration.id !== 'sftp');
    assert.ok(!JSON.stringify(others).includes('203.0.113.7'), 'only the SFTP help names them');
  }
});

test('RELAIS_OUTBOUND_IPS must be IP addresses', () => {
  assert.throws(() => loadConfig({ RELAIS_OUTBOUND_IPS: '203.0.113.7,not-an-ip' }), /RELAIS_OUTBOUND_IPS/);
  assert.throws(() => createConnectorRegistry({ RELAIS_OUTBOUND_IPS: 'not-an-ip' }), /connector sftp/);
  assert.deepEqual(loadConfig({ RELAIS_OUTBOUND_IPS: ' 203.0.113.7 , ' }).RELAIS_OUTBOUND_IPS, [
    '203.0.113.7',
  ]);
});

test('no made-up address is left in the code or documentation', () => {
  const skip = new Set(['node_modules', '.git', '.cache', '.data']);
  const self = path.relative(root, __filename);
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js|mjs|md|html|json|ya?ml)$/.test(entry.name) && path.relative(root, full) !== self) {
        const text = readFileSync(full, 'utf8');
        for (const address of madeUp)
          if (text.includes(address)) found.push(`${path.relative(root, full)}: ${address}`);
      }
    }
  };
  walk(root);
  assert.deepEqual(found, []);
});
