/*
 * The SSRF guard on real addresses, real DNS (localhost) and a real https server on loopback that
 * answers with redirects.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { ConnectorError } from '../../connectors/errors';
import { guardedFetch, MAX_REDIRECTS } from '../../connectors/shared/guarded-fetch';
import {
  assertPublicHost,
  assertPublicUrl,
  networkPolicyConfig,
  parseNetworkAllowList,
  publicOnly,
  type NetworkPolicy,
} from '../../connectors/shared/network-guard';

async function refused(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ConnectorError, `expected a ConnectorError, got ${String(error)}`);
    assert.equal(error.kind, 'misconfigured');
    if (message) assert.match(error.message, message);
    return true;
  });
}

const publicAddresses = [
  '8.8.8.8',
  '1.1.1.1',
  '172.15.255.255', // just below 172.16/12
  '172.32.0.1', // just above it
  '100.63.255.255', // just below 100.64/10
  '100.128.0.1',
  '169.253.255.255',
  '192.169.0.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '::ffff:8.8.8.8', // IPv4-mapped public
  '64:ff9b::808:808', // NAT64 of 8.8.8.8
];

const refusedAddresses: [string, RegExp][] = [
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['10.0.0.1', /private/],
  ['10.255.255.255', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['169.254.169.254', /metadata/],
  ['169.254.0.1', /link-local/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.127.255.255', /carrier-grade NAT/],
  ['0.0.0.0', /unspecified/],
  ['0.1.2.3', /unspecified/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['192.0.2.10', /reserved/],
  ['240.0.0.1', /reserved/],
  ['::1', /loopback/],
  ['::', /unspecified/],
  ['fe80::1', /link-local/],
  ['febf:ffff::1', /link-local/],
  ['fc00::1', /unique-local/],
  ['fd12:3456:789a::1', /unique-local/],
  ['ff02::1', /multicast/],
  ['::ffff:10.0.0.1', /private.*IPv4-mapped/],
  ['::ffff:127.0.0.1', /loopback.*IPv4-mapped/],
  ['::ffff:169.254.169.254', /metadata.*IPv4-mapped/],
  ['::ffff:0:a00:1', /private.*IPv4-translated/],
  ['::10.0.0.1', /IPv4-compatible/],
  ['::8.8.8.8', /IPv4-compatible/],
  ['64:ff9b::a00:1', /private.*NAT64/],
  ['64:ff9b::7f00:1', /loopback.*NAT64/],
  ['64:ff9b::a9fe:a9fe', /metadata.*NAT64/],
  ['64:ff9b:1::a00:1', /reserved/],
  ['2002:a00:1::1', /private.*6to4/],
  ['2001:0:4136:e378::1', /Teredo/],
  ['2001:db8::1', /reserved/],
];

describe('addresses, without an allow-list', () => {
  for (const address of publicAddresses) {
    test(`${address} is public`, async () => {
      const addresses = await assertPublicHost(address, publicOnly);
      assert.deepEqual(
        addresses.map((a) => a.address),
        [address],
      );
    });
  }
  for (const [address, reason] of refusedAddresses) {
    test(`${address} is refused: ${reason.source}`, async () => {
      await refused(assertPublicHost(address, publicOnly), reason);
    });
  }
});

describe('the allow-list (RELAIS_NETWORK_ALLOW)', () => {
  const config = z.object(networkPolicyConfig);

  test('ranges, single addresses and host names; IPv4-mapped addresses match IPv4 ranges', async () => {
    const policy = config.parse({
      RELAIS_NETWORK_ALLOW: ' 127.0.0.0/8, 10.1.2.3 ,fd00::/8,Files.Example.TEST.',
    }).RELAIS_NETWORK_ALLOW;
    assert.deepEqual(policy.hosts, ['files.example.test']);
    for (const address of ['127.0.0.1', '127.9.9.9', '::ffff:127.0.0.1', '10.1.2.3', 'fd00::5']) {
      await assertPublicHost(address, policy);
    }
    await refused(assertPublicHost('10.1.2.4', policy), /private/);
    await refused(assertPublicHost('169.254.169.254', policy), /link-local/);
    await refused(assertPublicHost('fc00::1', policy), /unique-local/);
  });

  test('unset means public addresses only', () => {
    assert.deepEqual(config.parse({}).RELAIS_NETWORK_ALLOW, publicOnly);
  });

  test('a bad entry names itself', () => {
    for (const [list, message] of [
      ['10.0.0.0/33', /"10\.0\.0\.0\/33": the prefix length must be a number from 0 to 32/],
      ['::1/129', /from 0 to 128/],
      ['10.0.0.0/x', /prefix length/],
      ['http://fake.test', /"http:\/\/fake\.test" is neither a host name/],
      ['fake.test/24', /neither/],
      ['127.0.0.1:70000', /"127\.0\.0\.1:70000": an endpoint is an IP address and a port from 1 to 65535/],
      ['999.0.0.1:22', /an endpoint is an IP address/],
      ['localhost:2222', /neither/],
    ] as const) {
      const parsed = config.safeParse({ RELAIS_NETWORK_ALLOW: list });
      assert.equal(parsed.success, false, list);
      assert.match(parsed.error!.issues[0]!.message, message);
      assert.deepEqual(parsed.error!.issues[0]!.path, ['RELAIS_NETWORK_ALLOW']);
    }
  });
});

describe('names are checked on what DNS returns', () => {
  test('localhost resolves to loopback: refused unless allow-listed', async () => {
    await refused(assertPublicHost('localhost', publicOnly), /^localhost resolves to a loopback address/);
    await refused(assertPublicHost('LOCALHOST.', publicOnly), /loopback/);
    const byRange = await assertPublicHost('localhost', parseNetworkAllowList('127.0.0.0/8,::1'));
    assert.ok(byRange.length >= 1);
    assert.ok(byRange.every((a) => a.address === '::1' || a.address.startsWith('127.')));
    await assertPublicHost('localhost', parseNetworkAllowList('localhost'));
  });

  test('a name that does not resolve rejects with the resolver’s error, not a guard refusal', async () => {
    await assert.rejects(assertPublicHost('no-such-host.invalid', publicOnly), { code: 'ENOTFOUND' });
  });

  test('URLs: https only, then their host; numeric and bracketed forms are the addresses they denote', async () => {
    await refused(assertPublicUrl('http://8.8.8.8/', publicOnly), /only over https/);
    await refused(assertPublicUrl('ftp://8.8.8.8/', publicOnly), /only over https/);
    await refused(assertPublicUrl('not a url', publicOnly), /not a web address/);
    await refused(assertPublicUrl('https://localhost/api', publicOnly), /loopback/);
    await refused(assertPublicUrl('https://2130706433/', publicOnly), /^127\.0\.0\.1 is a loopback/);
    await refused(assertPublicUrl('https://0x7f.1/', publicOnly), /loopback/);
    await refused(assertPublicUrl('https://[::ffff:a9fe:a9fe]/latest/meta-data/', publicOnly), /metadata/);
    await refused(assertPublicUrl('https://169.254.169.254/latest/meta-data/', publicOnly), /metadata/);
    const url = await assertPublicUrl('https://8.8.8.8/dns-query', publicOnly);
    assert.equal(url.pathname, '/dns-query');
  });
});

describe('guardedFetch follows redirects only to allowed places', () => {
  let server: Server;
  let origin: string;
  let policy: NetworkPolicy;
  let certDir: string;
  const seen: { path: string; authorization: string | undefined; method: string }[] = [];

  before(async () => {
    // A throw-away certificate authority-less self-signed certificate for 127.0.0.1 and localhost.
    certDir = mkdtempSync(path.join(tmpdir(), 'relais-guard-'));
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        path.join(certDir, 'key.pem'),
        '-out',
        path.join(certDir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const cert = readFileSync(path.join(certDir, 'cert.pem'), 'utf8');
    server = createServer({ key: readFileSync(path.join(certDir, 'key.pem')), cert }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      seen.push({ path: url.pathname, authorization: req.headers.authorization, method: req.method ?? '' });
      const hop = Number(url.searchParams.get('hop') ?? 0);
      const redirects: Record<string, string> = {
        '/to-private': 'https://10.0.0.1/admin',
        '/to-metadata': 'https://169.254.169.254/latest/meta-data/iam/',
        '/to-mapped': 'https://[::ffff:192.168.0.1]/',
        '/to-http': `http://127.0.0.1:${url.port || (server.address() as AddressInfo).port}/ok`,
        '/to-localhost': `https://localhost:${(server.address() as AddressInfo).port}/ok`,
        '/relative': '/ok',
        '/see-other': '/ok',
        '/loop': `/loop?hop=${hop + 1}`,
      };
      const location = redirects[url.pathname];
      if (location) {
        res.writeHead(url.pathname === '/see-other' ? 303 : 302, { location }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok after ${seen.length} requests`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    policy = { ...parseNetworkAllowList('127.0.0.0/8'), ca: cert };
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(certDir, { recursive: true, force: true });
  });

  test('an allowed address answers; the same server is refused without the allow-list', async () => {
    const response = await guardedFetch(`${origin}/ok`, {}, policy);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^ok/);
    await refused(guardedFetch(`${origin}/ok`, {}, { ...publicOnly, ca: policy.ca! }), /loopback/);
  });

  test('a redirect to a private, metadata or IPv4-mapped private address is refused before connecting', async () => {
    await refused(guardedFetch(`${origin}/to-private`, {}, policy), /^10\.0\.0\.1 is a private/);
    await refused(guardedFetch(`${origin}/to-metadata`, {}, policy), /metadata/);
    await refused(guardedFetch(`${origin}/to-mapped`, {}, policy), /private.*IPv4-mapped/);
    await refused(guardedFetch(`${origin}/to-http`, {}, policy), /only over https/);
  });

  test('a redirect to a name is checked on its DNS answer: localhost needs its own allowance', async () => {
    const onlyIpv6Loopback = { ...parseNetworkAllowList('::1'), ca: policy.ca! };
    await refused(guardedFetch(`${origin}/to-localhost`, {}, { ...policy, ranges: [] }), /loopback/);
    await refused(guardedFetch(`${origin}/ok`, {}, onlyIpv6Loopback), /loopback/);
    const followed = await guardedFetch(`${origin}/to-localhost`, {}, policy);
    assert.equal(followed.status, 200);
  });

  test('redirects within the allowed place are followed; credentials are not carried to another origin', async () => {
    seen.length = 0;
    const relative = await guardedFetch(
      `${origin}/relative`,
      { headers: { authorization: 'Bearer t0ken' } },
      policy,
    );
    assert.equal(relative.status, 200);
    assert.deepEqual(
      seen.map((s) => [s.path, s.authorization]),
      [
        ['/relative', 'Bearer t0ken'],
        ['/ok', 'Bearer t0ken'],
      ],
    );
    seen.length = 0;
    await guardedFetch(`${origin}/to-localhost`, { headers: { authorization: 'Bearer t0ken' } }, policy);
    assert.deepEqual(
      seen.map((s) => [s.path, s.authorization]),
      [
        ['/to-localhost', 'Bearer t0ken'],
        ['/ok', undefined],
      ],
    );
    seen.length = 0;
    await guardedFetch(`${origin}/see-other`, { method: 'POST', body: 'x=1' }, policy);
    assert.deepEqual(
      seen.map((s) => [s.path, s.method]),
      [
        ['/see-other', 'POST'],
        ['/ok', 'GET'],
      ],
    );
  });

  test(`at most ${MAX_REDIRECTS} redirects`, async () => {
    seen.length = 0;
    await refused(guardedFetch(`${origin}/loop`, {}, policy), /redirected more than 5 times/);
    assert.equal(seen.length, MAX_REDIRECTS + 1);
  });
});
