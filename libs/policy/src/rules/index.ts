import type { Rule } from '../engine/types';
import { acmRules } from './acm';
import { albRules } from './alb';
import { alarmRules } from './alarms';
import { backupRules } from './backup';
import { dataAtRestRules } from './data-at-rest';
import { drRules } from './dr';
import { ec2Rules } from './ec2';
import { iamRules } from './iam';
import { kmsRules } from './kms';
import { lambdaRules } from './lambda';
import { networkRules } from './network';
import { peeringRules } from './peering';
import { rdsRules } from './rds';
import { resourcePolicyRules } from './resource-policies';
import { route53Rules } from './route53';
import { s3Rules } from './s3';
import { s3ReplicationKmsRules } from './s3-replication-kms';
import { schemaMigrationRules } from './schema-migration';
import { secretRotationRules } from './secret-rotation';
import { securityGroupRules } from './security-groups';
import { terraformRules } from './terraform';

/** Every rule, grouped by service. */
export const RULES: readonly Rule[] = [
  ...terraformRules,
  ...rdsRules,
  ...s3Rules,
  ...s3ReplicationKmsRules,
  ...ec2Rules,
  ...securityGroupRules,
  ...albRules,
  ...acmRules,
  ...lambdaRules,
  ...iamRules,
  ...resourcePolicyRules,
  ...kmsRules,
  ...dataAtRestRules,
  ...networkRules,
  ...peeringRules,
  ...route53Rules,
  ...alarmRules,
  ...drRules,
  ...backupRules,
  ...secretRotationRules,
  ...schemaMigrationRules,
];
