import { fail, pass } from '../engine/types';
import { resourceRule } from './util';

export const networkRules = [
  resourceRule({
    id: 'vpc-flow-logs',
    mirrors: 'CKV2_AWS_11',
    title: 'Every VPC has flow logs (an aws_flow_log referencing it)',
    severity: 'medium',
    resourceTypes: ['aws_vpc'],
    check: (vpc, stack) => (stack.referrers(vpc, 'aws_flow_log', 'vpc_id').length > 0 ? pass() : fail('no aws_flow_log references the VPC')),
  }),
  resourceRule({
    id: 'vpc-flow-logs-all-traffic',
    mirrors: null,
    title: 'Flow logs capture all traffic (accepted and rejected) to a destination in the stack',
    severity: 'low',
    resourceTypes: ['aws_flow_log'],
    check: (log, stack) => {
      if (log.body.traffic_type !== 'ALL') return fail(`traffic_type is ${String(log.body.traffic_type)}`);
      return stack.resolve(log.body.log_destination) ? pass() : fail('log_destination does not reference a log group or bucket of the stack');
    },
  }),
];
