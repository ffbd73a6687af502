import { type Environment, undeployableZoneReason } from '@txn-dr/config';
import { PreflightError } from './preflight';

export interface ZoneCheckInput {
  readonly environment: string;
  readonly dns: Environment['dns'];
  /** The environment file that sets dns.zoneName, relative to the workspace root. */
  readonly environmentFile: string;
}

/**
 * Refuses to deploy with a zone nobody can own: the example.com placeholder of an environment that
 * names no zone, or any name under a reserved domain. Route 53 refuses a zone under example.com
 * ("reserved by AWS"), and a zone under a reserved top-level domain could never be delegated, so
 * the stacks would apply without the service ever being reachable by name (see domains.ts in
 * libs/config for the list and its sources). Returns what to tell the operator.
 */
export function checkZone(input: ZoneCheckInput): string {
  const { zoneName, existingZoneId, placeholder } = input.dns;
  const reason = placeholder
    ? `dns.zoneName is not set for ${input.environment}, so it is the placeholder ${zoneName}, which nobody can own`
    : undeployableZoneReason(zoneName);
  if (reason !== undefined) {
    throw new PreflightError(
      `Refusing to deploy: ${reason}. Set dns.zoneName in ${input.environmentFile} to a domain you own (or a subdomain of one, such as dr.payments.your-company.com), ` +
        'then deploy again; to put the records in a public hosted zone that exists already, also set dns.existingZoneId to its id.',
    );
  }
  return existingZoneId === undefined
    ? `Hosted zone ${zoneName}: stack-global creates it; delegate it once, by setting the NS records of ${zoneName} at its registrar (or parent zone) to stack-global's zoneNameServers output.`
    : `Hosted zone ${zoneName}: the existing zone ${existingZoneId} (dns.existingZoneId), read and never changed by stack-global.`;
}
