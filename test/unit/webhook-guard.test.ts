import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../lib/errors.ts';
import {
  checkAddress,
  checkWebhookUrl,
  classifyAddress,
  DEFAULT_DESTINATION_POLICY,
  parseAllowList,
  resolveDestination,
  type WebhookResolver,
} from '../../lib/targets/index.ts';

/** A resolver from a fixed table, counting its calls; an unknown name fails as DNS would. */
function fakeResolver(table: Record<string, string[]>): WebhookResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolver, { calls });
}

describe('classifyAddress', () => {
  const refused: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.254', 'shared'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['2001::1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    // IPv6 forms that carry an IPv4 address are judged by that address.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:0101::1', 'private'],
    ['64:ff9b:1::1', 'private'],
    ['::127.0.0.1', 'reserved'],
  ];
  for (const [address, rule] of refused) {
    it(`refuses ${address} as ${rule}`, () => {
      assert.equal(classifyAddress(address)?.rule, rule);
    });
  }

  it('names the embedding form and the IPv4 address it carries', () => {
    assert.deepEqual(classifyAddress('::ffff:127.0.0.1'), {
      address: '::ffff:127.0.0.1',
      rule: 'loopback',
      range: '127.0.0.0/8',
      embedded: { form: 'ipv4-mapped', ipv4: '127.0.0.1' },
    });
    assert.equal(classifyAddress('64:ff9b::a9fe:a9fe')?.embedded?.form, 'nat64');
    assert.equal(classifyAddress('2002:7f00:1::')?.embedded?.form, '6to4');
  });

  it('lets public addresses through, in every form', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '192.169.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      '64:ff9b::8.8.8.8',
      '2002:0808:0808::1',
    ]) {
      assert.equal(classifyAddress(address), null, address);
    }
  });

  it('throws ValidationError for text that is not an address', () => {
    assert.throws(() => classifyAddress('example.com'), ValidationError);
  });
});

describe('parseAllowList', () => {
  it('reads addresses, CIDR ranges (v4 and v6) and host names, separated by commas or spaces', () => {
    const policy = parseAllowList('127.0.0.1, localhost,10.0.0.0/8 fd00::/8,[::1],Hooks.Internal.');
    assert.deepEqual([...policy.hosts], ['localhost', 'hooks.internal']);
    assert.equal(checkAddress('127.0.0.1', policy), null);
    assert.equal(checkAddress('::ffff:127.0.0.1', policy), null);
    assert.equal(checkAddress('10.9.8.7', policy), null);
    assert.equal(checkAddress('fd00::5', policy), null);
    assert.equal(checkAddress('::1', policy), null);
    assert.equal(checkAddress('127.0.0.2', policy)?.rule, 'loopback');
    assert.equal(checkAddress('192.168.0.1', policy)?.rule, 'private');
    assert.equal(checkAddress('64:ff9b::10.1.1.1', policy), null, 'NAT64 form of an allowed address');
  });

  it('allows nothing internal when empty or unset', () => {
    for (const text of [undefined, '', ' , ']) {
      const policy = parseAllowList(text);
      assert.equal(policy.hosts.size, 0);
      assert.equal(checkAddress('127.0.0.1', policy)?.rule, 'loopback');
    }
  });

  it('names the variable and the entry when an entry is neither a name, an address nor a range', () => {
    for (const entry of [
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0.0/x',
      'nonsense/8',
      'hooks.internal:8080',
      'http://x',
      'bad_name!',
    ]) {
      assert.throws(
        () => parseAllowList(`127.0.0.1,${entry}`),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.field === 'SCHEDULER_WEBHOOK_ALLOW' &&
          e.message.includes(JSON.stringify(entry)) &&
          (e.issues[0]?.value as string) === entry,
        entry,
      );
    }
    assert.throws(
      () => parseAllowList('x!', 'OTHER'),
      (e: unknown) => e instanceof ValidationError && e.field === 'OTHER',
    );
  });
});

describe('checkWebhookUrl', () => {
  const refuse = (url: unknown, pattern: RegExp, policy = DEFAULT_DESTINATION_POLICY) =>
    assert.throws(
      () => checkWebhookUrl(url, policy),
      (e: unknown) => e instanceof ValidationError && e.field === 'target.url' && pattern.test(e.message),
      String(url),
    );

  it('accepts public http and https URLs and returns them parsed', () => {
    assert.equal(
      checkWebhookUrl('https://hooks.example.com/x?y=1', DEFAULT_DESTINATION_POLICY).hostname,
      'hooks.example.com',
    );
    assert.equal(checkWebhookUrl('http://8.8.8.8:8080/', DEFAULT_DESTINATION_POLICY).port, '8080');
  });

  it('refuses other schemes, credentials, and what is not a URL', () => {
    refuse('ftp://example.com/', /scheme is http or https/);
    refuse('file:///etc/passwd', /scheme is http or https/);
    refuse('javascript:alert(1)', /scheme is http or https/);
    refuse('/relative', /absolute/);
    refuse(42, /http or https URL/);
    refuse('', /http or https URL/);
    refuse(`https://example.com/${'a'.repeat(2048)}`, /at most 2048/);
    refuse('https://user:pass@example.com/', /without user name or password/);
    refuse('https://user@example.com/', /without user name or password/);
  });

  it('does not echo a URL holding credentials', () => {
    try {
      checkWebhookUrl('https://user:hunter2@example.com/', DEFAULT_DESTINATION_POLICY);
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(error instanceof ValidationError);
      assert.ok(!JSON.stringify(error.issues).includes('hunter2'));
    }
  });

  it('refuses IP literals of internal addresses, in every spelling the URL parser accepts', () => {
    refuse('http://127.0.0.1/', /127\.0\.0\.1 is loopback \(127\.0\.0\.0\/8\).*SCHEDULER_WEBHOOK_ALLOW/);
    refuse('http://2130706433/', /127\.0\.0\.1 is loopback/);
    refuse('http://0x7f.1/', /127\.0\.0\.1 is loopback/);
    refuse('http://[::1]:8080/', /::1 is loopback/);
    refuse('http://[::ffff:127.0.0.1]/', /ipv4-mapped form of 127\.0\.0\.1\) is loopback/);
    refuse('http://[::ffff:a9fe:a9fe]/', /cloud metadata/);
    refuse('http://169.254.169.254/latest/meta-data/', /cloud metadata address/);
    refuse('http://[fd00:ec2::254]/', /cloud metadata address/);
    refuse('http://10.0.0.1/', /private/);
    refuse('http://0.0.0.0/', /unspecified/);
    refuse('http://[64:ff9b::7f00:1]/', /nat64 form of 127\.0\.0\.1/);
  });

  it('refuses localhost and metadata names before any resolution', () => {
    refuse('http://localhost:3000/', /names this machine or a cloud metadata service/);
    refuse('http://LOCALHOST./', /"localhost"/);
    refuse('http://api.localhost/', /"api.localhost"/);
    refuse('http://metadata.google.internal/computeMetadata/v1/', /metadata/);
    refuse('http://metadata/', /metadata/);
    refuse('http://instance-data.ec2.internal/', /metadata/);
  });

  it('lets through what the allow-list names', () => {
    const policy = parseAllowList('127.0.0.1,localhost,10.0.0.0/8');
    assert.ok(checkWebhookUrl('http://127.0.0.1:9000/', policy));
    assert.ok(checkWebhookUrl('http://localhost:9000/', policy));
    assert.ok(checkWebhookUrl('http://10.20.30.40/', policy));
    refuse('http://192.168.0.1/', /private/, policy);
  });
});

describe('resolveDestination', () => {
  it('returns every address of a public name, resolved once', async () => {
    const resolver = fakeResolver({ 'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });
    const result = await resolveDestination('https://hooks.example.com/x', DEFAULT_DESTINATION_POLICY, resolver);
    assert.ok(result.ok);
    assert.deepEqual(result.addresses, [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
    assert.equal(result.host, 'hooks.example.com');
    assert.deepEqual(resolver.calls, ['hooks.example.com']);
  });

  it('refuses a name when any one of its addresses is refused, naming the address and the rule', async () => {
    const resolver = fakeResolver({
      'evil.example': ['93.184.215.14', '169.254.169.254'],
      'rebind.example': ['10.0.0.7'],
      'six.example': ['::1'],
      'mapped.example': ['::ffff:192.168.0.10'],
    });
    const cases: [string, RegExp][] = [
      [
        'http://evil.example/',
        /evil\.example resolves to 169\.254\.169\.254 is a cloud metadata address \(169\.254\.169\.254\/32\)/,
      ],
      ['http://rebind.example/', /10\.0\.0\.7 is private \(10\.0\.0\.0\/8\)/],
      ['http://six.example/', /::1 is loopback \(::1\/128\)/],
      ['http://mapped.example/', /ipv4-mapped form of 192\.168\.0\.10\) is private/],
    ];
    for (const [url, message] of cases) {
      const result = await resolveDestination(url, DEFAULT_DESTINATION_POLICY, resolver);
      assert.equal(result.ok, false, url);
      assert.ok(!result.ok && result.error === 'blocked' && message.test(result.message), JSON.stringify(result));
    }
  });

  it('never resolves a URL the static check refuses', async () => {
    const resolver = fakeResolver({ localhost: ['8.8.8.8'] });
    const result = await resolveDestination('http://localhost/', DEFAULT_DESTINATION_POLICY, resolver);
    assert.ok(!result.ok && result.error === 'blocked');
    assert.deepEqual(resolver.calls, []);
  });

  it('does not resolve an IP literal', async () => {
    const resolver = fakeResolver({});
    const result = await resolveDestination('http://8.8.8.8/', DEFAULT_DESTINATION_POLICY, resolver);
    assert.ok(result.ok);
    assert.deepEqual(result.addresses, [{ address: '8.8.8.8', family: 4 }]);
    assert.deepEqual(resolver.calls, []);
  });

  it('reports names that do not resolve, resolve to nothing, or to something that is not an address', async () => {
    const resolver: WebhookResolver = async (name) => {
      if (name === 'empty.example') return [];
      if (name === 'junk.example') return [{ address: 'not-an-ip', family: 4 }];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    };
    for (const [host, message] of [
      ['missing.example', /did not resolve: ENOTFOUND/],
      ['empty.example', /resolved to no address/],
      ['junk.example', /not an IP address/],
    ] as const) {
      const result = await resolveDestination(`https://${host}/`, DEFAULT_DESTINATION_POLICY, resolver);
      assert.ok(!result.ok && result.error === 'dns' && message.test(result.message), JSON.stringify(result));
    }
  });

  it('trusts an allowed name whatever it resolves to, and allowed ranges under any name', async () => {
    const resolver = fakeResolver({ 'hooks.internal': ['10.1.1.1', '192.168.1.1'], 'other.example': ['10.2.2.2'] });
    const policy = parseAllowList('hooks.internal,10.0.0.0/8');
    const named = await resolveDestination('http://hooks.internal/', policy, resolver);
    assert.ok(named.ok && named.addresses.length === 2);
    const ranged = await resolveDestination('http://other.example/', policy, resolver);
    assert.ok(ranged.ok && ranged.addresses[0]?.address === '10.2.2.2');
    const notListed = await resolveDestination('http://other.example/', parseAllowList('hooks.internal'), resolver);
    assert.ok(!notListed.ok && notListed.error === 'blocked');
  });
});
