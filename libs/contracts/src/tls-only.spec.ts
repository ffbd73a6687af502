import { SECURE_TRANSPORT, TLS_ONLY_SID, tlsOnlyPolicyStatement, tlsOnlyStatement } from './tls-only';

const BUCKET = ['arn:aws:s3:::acme-tf-state', 'arn:aws:s3:::acme-tf-state/*'];

describe('tlsOnlyStatement (policy document data source)', () => {
  it('denies everyone the actions on the resources when aws:SecureTransport is false', () => {
    expect(tlsOnlyStatement({ actions: ['s3:*'], resources: BUCKET })).toEqual({
      sid: 'DenyInsecureTransport',
      effect: 'Deny',
      principals: [{ type: 'AWS', identifiers: ['*'] }],
      actions: ['s3:*'],
      resources: BUCKET,
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    });
  });

  it('takes the sid a policy already names it by', () => {
    expect(tlsOnlyStatement({ sid: 'TlsOnly', actions: ['sns:Publish'], resources: ['arn:aws:sns:us-east-1:1:t'] }).sid).toBe('TlsOnly');
  });

  it('hands out its own lists, so a caller changing them changes no other policy', () => {
    const actions = ['sqs:SendMessage'];
    const statement = tlsOnlyStatement({ actions, resources: ['q'] });
    statement.actions.push('sqs:ReceiveMessage');
    statement.condition[0]!.values.push('true');
    expect(actions).toEqual(['sqs:SendMessage']);
    expect(tlsOnlyStatement({ actions, resources: ['q'] }).condition[0]!.values).toEqual([SECURE_TRANSPORT.insecure]);
  });
});

describe('tlsOnlyPolicyStatement (IAM JSON)', () => {
  it('writes the statement as IAM documents it, one action as a string', () => {
    expect(tlsOnlyPolicyStatement({ actions: ['s3:*'], resources: BUCKET })).toEqual({
      Sid: TLS_ONLY_SID,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: BUCKET,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('lists several actions', () => {
    expect(tlsOnlyPolicyStatement({ actions: ['sqs:SendMessage', 'sqs:ReceiveMessage'], resources: ['q'] }).Action).toEqual(['sqs:SendMessage', 'sqs:ReceiveMessage']);
  });

  it('says the same thing in both shapes', () => {
    const input = { sid: 'S', actions: ['s3:*'], resources: BUCKET };
    const document = tlsOnlyStatement(input);
    const json = tlsOnlyPolicyStatement(input);
    expect([json.Sid, json.Effect, json.Resource]).toEqual([document.sid, document.effect, document.resources]);
    const [condition] = document.condition;
    expect(json.Condition[condition!.test as 'Bool']).toEqual({ [condition!.variable]: condition!.values[0] });
  });
});
