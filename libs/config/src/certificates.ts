/**
 * An ACM certificate ARN, `arn:aws:acm:<region>:<account>:certificate/<uuid>` (other partitions
 * have their own `arn:aws-*` prefix); the first group is the region.
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_DescribeCertificate.html
 */
export const ACM_CERTIFICATE_ARN_PATTERN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;

/**
 * The region an ACM certificate ARN lives in, or undefined for anything that is not one. ACM
 * certificates are regional: a load balancer can use only a certificate of its own region.
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html
 */
export function acmCertificateRegion(arn: string): string | undefined {
  return ACM_CERTIFICATE_ARN_PATTERN.exec(arn)?.[1];
}
