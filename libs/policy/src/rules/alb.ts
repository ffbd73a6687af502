import { acmCertificateRegion } from '@txn-dr/config';
import type { Stack } from '../engine/stack';
import { fail, na, pass, type Outcome, type Resource } from '../engine/types';
import { block, blocks, isTrue, resourceRule } from './util';

const LB = ['aws_lb', 'aws_alb'];
const LISTENER = ['aws_lb_listener', 'aws_alb_listener'];
const isApplication = (lb: Resource) => (lb.body.load_balancer_type ?? 'application') === 'application';

/**
 * True if a certificate is configured for this listener's load balancer: on the listener, on a
 * sibling listener of the same load balancer (an HTTPS listener next to a plain HTTP one), through
 * aws_lb_listener_certificate, or as an ACM certificate in the stack.
 */
function certificateAvailable(stack: Stack, listener: Resource): boolean {
  const lb = stack.resolve(listener.body.load_balancer_arn);
  const siblings = lb ? stack.referrers(lb).filter((r) => LISTENER.includes(r.type)) : [listener];
  if (siblings.some((l) => l.body.certificate_arn || stack.referrers(l, 'aws_lb_listener_certificate').length > 0)) return true;
  return stack.byType('aws_acm_certificate').length > 0 || stack.byType('data.aws_acm_certificate').length > 0;
}

/** Redirects to HTTPS satisfy the HTTPS rule. */
const redirectsToHttps = (listener: Resource) =>
  blocks(listener.body.default_action).some((a) => a.type === 'redirect' && block(a.redirect).protocol === 'HTTPS');

/**
 * The region of the certificate a TLS listener names: a literal ACM ARN says it; a reference to an
 * ACM certificate of the stack (directly, or through its validation) is in its provider's region.
 */
function certificateRegion(stack: Stack, listener: Resource): { region?: string; what: string } | undefined {
  const arn = listener.body.certificate_arn;
  if (typeof arn === 'string' && !arn.includes('${')) return { region: acmCertificateRegion(arn), what: arn };
  let target = stack.resolve(arn);
  if (target?.type === 'aws_acm_certificate_validation') target = stack.resolve(target.body.certificate_arn);
  if (target?.type !== 'aws_acm_certificate') return undefined;
  return { region: stack.regionOf(target), what: target.address };
}

function certificateInListenerRegion(listener: Resource, stack: Stack): Outcome {
  if (listener.body.protocol !== 'HTTPS' && listener.body.protocol !== 'TLS') return na('not a TLS listener');
  const certificate = certificateRegion(stack, listener);
  if (certificate === undefined) return na('the certificate is neither an ACM ARN nor an ACM certificate of the stack');
  const own = stack.regionOf(listener);
  if (certificate.region === undefined || own === undefined) return fail(`cannot tell the region of ${certificate.what} or of the listener's provider`);
  return certificate.region === own ? pass() : fail(`listener in ${own} names ${certificate.what}, a certificate in ${certificate.region}`);
}

export const albRules = [
  resourceRule({
    id: 'alb-drop-invalid-headers',
    mirrors: 'CKV_AWS_131',
    title: 'Application load balancers drop invalid HTTP header fields',
    severity: 'medium',
    resourceTypes: LB,
    check: (lb) => (!isApplication(lb) ? na('not an application load balancer') : isTrue(lb.body.drop_invalid_header_fields) ? pass() : fail('drop_invalid_header_fields is not true')),
  }),
  resourceRule({
    id: 'alb-access-logs',
    mirrors: 'CKV_AWS_91',
    title: 'Load balancers write access logs to a bucket',
    severity: 'medium',
    resourceTypes: LB,
    check: (lb) => {
      const logs = block(lb.body.access_logs);
      // access_logs.enabled defaults to false even when a bucket is named.
      return logs.bucket && isTrue(logs.enabled) ? pass() : fail('access_logs is not enabled (enabled = true) with a bucket');
    },
  }),
  resourceRule({
    id: 'alb-deletion-protection',
    mirrors: 'CKV_AWS_150',
    title: 'Load balancers have deletion protection',
    severity: 'medium',
    resourceTypes: LB,
    check: (lb) => (isTrue(lb.body.enable_deletion_protection) ? pass() : fail('enable_deletion_protection is not true')),
  }),
  resourceRule({
    id: 'alb-desync-mitigation',
    mirrors: 'CKV_AWS_328',
    title: 'Application load balancers use defensive or strictest desync mitigation',
    severity: 'low',
    resourceTypes: LB,
    check: (lb) => {
      if (!isApplication(lb)) return na('not an application load balancer');
      const mode = String(lb.body.desync_mitigation_mode ?? 'defensive');
      return mode === 'defensive' || mode === 'strictest' ? pass() : fail(`desync_mitigation_mode is ${mode}`);
    },
  }),
  resourceRule({
    id: 'alb-https-when-certificate',
    mirrors: 'CKV_AWS_2',
    title: 'When a certificate is configured, listeners serve HTTPS or redirect to it',
    severity: 'high',
    resourceTypes: LISTENER,
    check: (listener, stack) => {
      if (!certificateAvailable(stack, listener)) return na('no certificate is configured in the stack');
      if (listener.body.protocol === 'HTTPS' || listener.body.protocol === 'TLS' || redirectsToHttps(listener)) return pass();
      return fail(`listener on ${String(listener.body.port)} serves ${String(listener.body.protocol)} although a certificate is configured`);
    },
  }),
  resourceRule({
    id: 'alb-certificate-in-listener-region',
    mirrors: null,
    // ACM certificates are regional: https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html
    title: 'TLS listeners use an ACM certificate of their own region',
    severity: 'high',
    resourceTypes: LISTENER,
    check: certificateInListenerRegion,
  }),
  resourceRule({
    id: 'alb-tls-policy',
    mirrors: 'CKV_AWS_103',
    title: 'HTTPS listeners use a TLS 1.2+ security policy',
    severity: 'medium',
    resourceTypes: LISTENER,
    check: (listener) => {
      if (listener.body.protocol !== 'HTTPS' && listener.body.protocol !== 'TLS') return na('not a TLS listener');
      const policy = String(listener.body.ssl_policy ?? 'ELBSecurityPolicy-2016-08');
      return /TLS13|TLS-1-2|FS-1-2/.test(policy) ? pass() : fail(`ssl_policy ${policy} allows TLS below 1.2`);
    },
  }),
];
