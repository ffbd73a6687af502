import { defineEnvironment } from '@txn-dr/config';
import { PreflightError, checkZone } from '../src';

const FILE = 'libs/config/environments/dev.json';
const zoneOf = (dns: Parameters<typeof defineEnvironment>[0]['dns']) => ({ environment: 'dev', dns: defineEnvironment({ name: 'dev', dns }).dns, environmentFile: FILE });

describe('checkZone', () => {
  it('refuses the placeholder of an environment that names no zone, saying what to set and where', () => {
    expect(() => checkZone(zoneOf({}))).toThrow(PreflightError);
    expect(() => checkZone(zoneOf({}))).toThrow(
      'Refusing to deploy: dns.zoneName is not set for dev, so it is the placeholder dr-dev.example.com, which nobody can own. ' +
        `Set dns.zoneName in ${FILE} to a domain you own (or a subdomain of one, such as dr.payments.your-company.com), then deploy again; ` +
        'to put the records in a public hosted zone that exists already, also set dns.existingZoneId to its id.',
    );
  });

  it.each([
    ['written out under example.com', 'dr.example.com', 'dr.example.com is under example.com, which is reserved for documentation and testing: nobody owns it, so a zone for it can never be delegated (Route 53 refuses it: "reserved by AWS")'],
    ['under example.net', 'dr.example.net', 'dr.example.net is under example.net'],
    ['under .test', 'dr.acme.test', 'dr.acme.test is under test'],
    ['under .invalid', 'acme.invalid', 'acme.invalid is under invalid'],
  ])('refuses a zone %s, even with an existing zone id', (_description, zoneName, reason) => {
    for (const existingZoneId of [undefined, 'Z0123456789ABCDEFGHIJ']) {
      expect(() => checkZone(zoneOf({ zoneName, existingZoneId }))).toThrow(`Refusing to deploy: ${reason}`);
      expect(() => checkZone(zoneOf({ zoneName, existingZoneId }))).toThrow(`Set dns.zoneName in ${FILE} to a domain you own`);
    }
  });

  it('lets a domain someone can own through, and says how to delegate the zone stack-global creates', () => {
    expect(checkZone(zoneOf({ zoneName: 'dr.payments.acme.io' }))).toBe(
      "Hosted zone dr.payments.acme.io: stack-global creates it; delegate it once, by setting the NS records of dr.payments.acme.io at its registrar (or parent zone) to stack-global's zoneNameServers output.",
    );
  });

  it('names the existing zone when config gives one', () => {
    expect(checkZone(zoneOf({ zoneName: 'dr.payments.acme.io', existingZoneId: 'Z0123456789ABCDEFGHIJ' }))).toBe(
      'Hosted zone dr.payments.acme.io: the existing zone Z0123456789ABCDEFGHIJ (dns.existingZoneId), read and never changed by stack-global.',
    );
  });
});
