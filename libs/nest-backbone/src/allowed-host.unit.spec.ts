import { hostAllowed, hostName } from './allowed-host';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

describe('the Host header of a request to an app on loopback', () => {
  it.each(['127.0.0.1:3000', 'localhost:3000', 'LOCALHOST', '[::1]:3000', '127.0.0.1'])(
    'given %j, it is served',
    (host) => {
      expect(hostAllowed(host, LOOPBACK)).toBe(true);
    },
  );

  it.each([
    undefined,
    '',
    'evil.example:3000',
    'attacker.test',
    '127.0.0.1.nip.io:3000',
    'localhost.evil.example',
    '[::1',
    'a b',
  ])('given %j (DNS rebinding, or no host), it is refused', (host) => {
    expect(hostAllowed(host, LOOPBACK)).toBe(false);
  });

  it('given configured names, those are served; with no list, any host is', () => {
    expect(hostAllowed('journey.internal:443', ['journey.internal'])).toBe(true);
    expect(hostAllowed('anything', null)).toBe(true);
    expect(hostName('Journey.Internal:8080')).toBe('journey.internal');
  });
});
