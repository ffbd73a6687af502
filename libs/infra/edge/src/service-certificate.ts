import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';

/** TTL of the validation records, as in the provider's DNS validation example. */
const VALIDATION_TTL_SECONDS = 60;

export interface ServiceCertificateProps {
  /**
   * The provider of the region whose load balancer uses the certificate: ACM certificates are
   * regional, so each region requests its own.
   * https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html
   */
  readonly provider: AwsProvider;
  /** The public hosted zone that holds the validation records (the global stack's `hostedZoneId`). */
  readonly zoneId: string;
  /** The certificate's name: the service name, `<recordName>.<zoneName>`. */
  readonly domainName: string;
  /** Further names on the certificate (the region's own name). @default [] */
  readonly alternativeNames?: readonly string[];
  /** Name tag of the certificate. */
  readonly name: string;
  /** TTL of the validation records, in seconds. @default 60 */
  readonly validationTtlSeconds?: number;
}

/**
 * A public ACM certificate validated by DNS in the service's hosted zone: the certificate, one
 * CNAME record per name on it, and a validation that waits until ACM has issued it. ACM renews it
 * by itself for as long as it is in use and the records stay in place.
 * https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/acm_certificate_validation
 * The records must be in the domain's public DNS ("your public DNS records"), so the zone must be
 * delegated to Route 53 (after the first deploy of the global stack) before a region requests its
 * certificate; until then the validation waits, and fails after its 75-minute timeout.
 */
export class ServiceCertificate extends Construct {
  readonly certificate: AcmCertificate;
  /** The validation CNAME records, one per name on the certificate (`for_each` over its validation options). */
  readonly validationRecords: Route53Record;
  readonly validation: AcmCertificateValidation;
  /** The certificate's ARN, known only once ACM has issued it: what a listener should name. */
  readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: ServiceCertificateProps) {
    super(scope, id);
    const { provider } = props;
    const alternativeNames = props.alternativeNames ?? [];
    this.certificate = new AcmCertificate(this, 'certificate', {
      provider,
      domainName: props.domainName,
      ...(alternativeNames.length > 0 ? { subjectAlternativeNames: [...alternativeNames] } : {}),
      validationMethod: 'DNS',
      tags: { Name: props.name },
      // A certificate in use by a listener is replaced by creating its successor first: deleting
      // first fails while the listener still names it.
      // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/acm_certificate
      lifecycle: { createBeforeDestroy: true },
    });

    // Keyed by the name being validated, which config gives, so the keys are known at plan time.
    const option = TerraformIterator.fromComplexList(this.certificate.domainValidationOptions, 'domain_name');
    this.validationRecords = new Route53Record(this, 'validation-record', {
      provider,
      forEach: option,
      zoneId: props.zoneId,
      name: option.getString('resource_record_name'),
      type: option.getString('resource_record_type'),
      records: [option.getString('resource_record_value')],
      ttl: props.validationTtlSeconds ?? VALIDATION_TTL_SECONDS,
      // The record for a name is "created specifically for your domain and your account", and the
      // same token "works for any AWS Region": both regions' certificates of the service name ask
      // for the very same CNAME. Each regional stack owns its region's certificate, so each writes
      // the record, the second overwriting the first with the same value, rather than one region
      // depending on the other's stack. Destroying one regional stack deletes the shared record,
      // which stops the other certificate's automatic renewal until the other stack's next apply
      // finds the record missing and writes it back.
      // https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
      // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/route53_record#allow_overwrite
      allowOverwrite: true,
    });

    this.validation = new AcmCertificateValidation(this, 'validation', {
      provider,
      certificateArn: this.certificate.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(this.validationRecords).pluckProperty('fqdn')),
    });
    this.certificateArn = this.validation.certificateArn;
  }
}
