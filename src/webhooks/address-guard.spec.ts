import { AllowList, blockedReason, checkTarget, embeddedIpv4, TargetRefusedError } from './address-guard';

describe('blockedReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.100.100.200', 'carrier-grade NAT'],
    ['224.0.0.251', 'multicast'],
    ['0.0.0.0', 'this network'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'unique local (private, cloud metadata)'],
    ['ff02::1', 'multicast'],
    ['::ffff:169.254.169.254', 'link-local (cloud metadata)'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
    ['64:ff9b::10.0.0.1', 'private'],
  ])('should refuse %s as %s', (address, why) => {
    expect(blockedReason(address)).toBe(why);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111'])('should accept the public address %s', (address) => {
    expect(blockedReason(address)).toBeNull();
  });

  it('should read the IPv4 address inside mapped forms', () => {
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('2001:db8::1')).toBeNull();
  });
});

describe('checkTarget', () => {
  const allow = new AllowList(['127.0.0.1', 'hooks.internal', '10.1.0.0/16']);
  const resolveTo = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('should refuse metadata and private literals, and plain http unless allowed', async () => {
    await expect(checkTarget('http://169.254.169.254/latest', { allowHttp: true, allow })).rejects.toThrow(/169\.254\.169\.254 is link-local/);
    await expect(checkTarget('http://10.0.0.1/x', { allowHttp: true, allow })).rejects.toThrow(/private/);
    await expect(checkTarget('http://8.8.8.8/x', { allowHttp: false, allow })).rejects.toThrow(/https required/);
    await expect(checkTarget('https://user:pw@8.8.8.8/x', { allowHttp: false, allow })).rejects.toThrow(/credentials/);
  });

  it('should refuse a name when any of its addresses is private (a rebinding or mixed answer), and pin the first checked one', async () => {
    await expect(checkTarget('https://evil.example/x', { allowHttp: false, allow, resolve: resolveTo('93.184.216.34', '127.0.0.2') })).rejects.toBeInstanceOf(TargetRefusedError);
    const ok = await checkTarget('https://good.example/x', { allowHttp: false, allow, resolve: resolveTo('93.184.216.34') });
    expect(ok).toMatchObject({ host: 'good.example', address: '93.184.216.34', family: 4 });
  });

  it('should let allowlisted hosts and CIDRs through', async () => {
    expect((await checkTarget('http://127.0.0.1:9/x', { allowHttp: true, allow })).address).toBe('127.0.0.1');
    expect((await checkTarget('https://10.1.2.3/x', { allowHttp: false, allow })).address).toBe('10.1.2.3');
    expect((await checkTarget('https://hooks.internal/x', { allowHttp: false, allow, resolve: resolveTo('192.168.5.5') })).address).toBe('192.168.5.5');
    await expect(checkTarget('https://10.2.0.1/x', { allowHttp: false, allow })).rejects.toThrow(/private/);
  });

  it('should reject allowlist entries that are neither hosts nor CIDRs', () => {
    expect(() => new AllowList(['10.0.0.0/40'])).toThrow(/bad CIDR/);
    expect(() => new AllowList(['http://x'])).toThrow(/not a host name/);
  });
});
