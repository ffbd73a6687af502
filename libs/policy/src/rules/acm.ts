import { fail, pass } from '../engine/types';
import { block, isTrue, resourceRule } from './util';

export const acmRules = [
  resourceRule({
    id: 'acm-create-before-destroy',
    mirrors: 'CKV_AWS_233',
    // A certificate a listener uses cannot be deleted first: the provider recommends replacing it
    // by creating its successor before.
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/acm_certificate
    title: 'ACM certificates are replaced by creating the new one first',
    severity: 'medium',
    resourceTypes: ['aws_acm_certificate'],
    check: (certificate) =>
      isTrue(block(certificate.body.lifecycle).create_before_destroy) ? pass() : fail('lifecycle.create_before_destroy is not true'),
  }),
];
