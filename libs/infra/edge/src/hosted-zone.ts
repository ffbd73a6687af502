import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import type { Environment } from '@txn-dr/config';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';

export interface HostedZoneProps {
  readonly env: Environment;
  readonly provider: AwsProvider;
}

/** The public hosted zone of the service; each regional stack adds its own record to it. */
export class HostedZone extends Construct {
  readonly zone: Route53Zone;
  readonly zoneId: string;
  /** Name servers, comma-separated, for delegating the zone from its parent. */
  readonly nameServers: string;

  constructor(scope: Construct, id: string, props: HostedZoneProps) {
    super(scope, id);
    this.zone = new Route53Zone(this, 'zone', {
      provider: props.provider,
      name: props.env.dns.zoneName,
      comment: `Transaction service of ${props.env.project}-${props.env.name}, weighted across both regions`,
    });
    this.zoneId = this.zone.zoneId;
    this.nameServers = Fn.join(',', this.zone.nameServers);
  }
}
