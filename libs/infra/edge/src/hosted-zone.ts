import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';

export interface HostedZoneProps {
  readonly provider: AwsProvider;
  /** The zone's domain (config `dns.zoneName`). */
  readonly zoneName: string;
  /**
   * A public hosted zone for `zoneName` that exists already (config `dns.existingZoneId`): it is
   * read, never created, changed or deleted by this stack.
   * @default undefined (a new zone is created)
   */
  readonly existingZoneId?: string;
  /** Comment on a zone this construct creates. @default 'Transaction service, weighted across both regions' */
  readonly comment?: string;
}

/**
 * The public hosted zone of the service, created here or an existing one looked up by id; each
 * regional stack adds its own record to it through the `hostedZoneId` output, so the two cases look
 * the same to them.
 */
export class HostedZone extends Construct {
  readonly zoneId: string;
  /** Name servers, comma-separated, for delegating the zone from its parent (the registrar's NS records). */
  readonly nameServers: string;
  /** Whether the zone is one this stack created (and so deletes on destroy). */
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: HostedZoneProps) {
    super(scope, id);
    this.created = props.existingZoneId === undefined;
    if (props.existingZoneId === undefined) {
      const zone = new Route53Zone(this, 'zone', {
        provider: props.provider,
        name: props.zoneName,
        comment: props.comment ?? 'Transaction service, weighted across both regions',
      });
      this.zoneId = zone.zoneId;
      this.nameServers = Fn.join(',', zone.nameServers);
      return;
    }
    const zone = new DataAwsRoute53Zone(this, 'zone', {
      provider: props.provider,
      // By id alone: given both an id and a name, the data source only warns and reads nothing.
      // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/route53_zone
      zoneId: props.existingZoneId,
      lifecycle: {
        // The records go in as <label>.<zoneName>, so a zone of another name (or a private one)
        // would only fail later, record by record; a postcondition stops the plan at the lookup.
        // The data source returns the name without its trailing dot.
        // https://developer.hashicorp.com/terraform/language/expressions/custom-conditions#preconditions-and-postconditions
        postcondition: [
          {
            condition: `\${self.name == "${props.zoneName}" && !self.private_zone}`,
            errorMessage: `Hosted zone ${props.existingZoneId} (dns.existingZoneId) must be the public zone of ${props.zoneName} (dns.zoneName).`,
          },
        ],
      },
    });
    this.zoneId = zone.zoneId;
    this.nameServers = Fn.join(',', zone.nameServers);
  }
}
