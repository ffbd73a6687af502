import { wildcardFindings } from './iam-findings';

const ALLOWED = ['xray:PutTraceSegments'];

describe('wildcardFindings', () => {
  it.each([
    ['Action "*"', { sid: 'All', actions: ['*'], resources: ['arn:aws:sns:us-east-1:1:t'] }, ['All: wildcard action *']],
    ['a service-wide action', { sid: 'Sns', actions: ['sns:*'], resources: ['arn:aws:sns:us-east-1:1:t'] }, ['Sns: wildcard action sns:*']],
    ['a partial wildcard action', { sid: 'Kms', actions: ['kms:GenerateDataKey*'], resources: ['arn:aws:kms:us-east-1:1:key/k'] }, ['Kms: wildcard action kms:GenerateDataKey*']],
    ['Resource "*" for a scopable action', { sid: 'Any', actions: ['sns:Publish'], resources: ['*'] }, ['Any: sns:Publish on Resource "*"']],
    ['NotAction', { sid: 'Not', not_actions: ['iam:*'], resources: ['*'] }, ['Not: NotAction allows every other action']],
    ['NotResource', { sid: 'NotR', actions: ['sns:Publish'], not_resources: ['arn:aws:sns:us-east-1:1:t'] }, ['NotR: NotResource allows every other resource']],
  ])('flags %s', (_case, statement, findings) => {
    expect(wildcardFindings([statement], ALLOWED)).toEqual(findings);
  });

  it.each([
    ['an allowed action on Resource "*"', { actions: ['xray:PutTraceSegments'], resources: ['*'] }],
    ['a scoped ARN ending in a wildcard', { actions: ['logs:PutLogEvents'], resources: ['arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*'] }],
    ['a Deny statement', { effect: 'Deny', actions: ['*'], resources: ['*'] }],
  ])('passes %s', (_case, statement) => {
    expect(wildcardFindings([statement], ALLOWED)).toEqual([]);
  });
});
