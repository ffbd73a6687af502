/**
 * The statement every resource policy here carries: deny everyone, this account included, any
 * request that did not come over TLS. AWS sets the global condition key `aws:SecureTransport` to
 * false for such a request; a Deny on it holds whatever an Allow elsewhere says.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport
 * https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule
 *
 * Two shapes of the same statement: the structured one `aws_iam_policy_document` takes (the
 * stacks), and IAM's JSON (a policy put through the API, as the state bootstrap does).
 */

/** The condition key, and the value it has on a request made without TLS. */
export const SECURE_TRANSPORT = { key: 'aws:SecureTransport', insecure: 'false' } as const;

/** Sid of the statement unless the policy names it otherwise. */
export const TLS_ONLY_SID = 'DenyInsecureTransport';

export interface TlsOnlyInput {
  /** The actions refused without TLS, e.g. `['s3:*']` on a bucket or `['sns:Publish']` on a topic. */
  readonly actions: readonly string[];
  /** The resources of the policy the statement goes in (a bucket: its ARN and `<arn>/*`). */
  readonly resources: readonly string[];
  /** @default TLS_ONLY_SID */
  readonly sid?: string;
}

/** The statement in the shape of `aws_iam_policy_document`'s `statement` block. */
export interface TlsOnlyDocumentStatement {
  sid: string;
  effect: 'Deny';
  principals: { type: 'AWS'; identifiers: string[] }[];
  actions: string[];
  resources: string[];
  condition: { test: 'Bool'; variable: string; values: string[] }[];
}

/** The statement in IAM's JSON policy grammar. */
export interface TlsOnlyPolicyStatement {
  Sid: string;
  Effect: 'Deny';
  Principal: '*';
  /** One action as a string, several as a list, as IAM writes them. */
  Action: string | string[];
  Resource: string[];
  Condition: { Bool: Record<string, string> };
}

/**
 * The TLS-only Deny for a policy document data source (`DataAwsIamPolicyDocument`), to everyone:
 * principal `AWS` `*` (`"Principal": {"AWS": "*"}`, which IAM reads as `"Principal": "*"`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export function tlsOnlyStatement({ actions, resources, sid = TLS_ONLY_SID }: TlsOnlyInput): TlsOnlyDocumentStatement {
  return {
    sid,
    effect: 'Deny',
    principals: [{ type: 'AWS', identifiers: ['*'] }],
    actions: [...actions],
    resources: [...resources],
    condition: [{ test: 'Bool', variable: SECURE_TRANSPORT.key, values: [SECURE_TRANSPORT.insecure] }],
  };
}

/** The TLS-only Deny in IAM's JSON, to everyone (`"Principal": "*"`). */
export function tlsOnlyPolicyStatement({ actions, resources, sid = TLS_ONLY_SID }: TlsOnlyInput): TlsOnlyPolicyStatement {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: actions.length === 1 ? actions[0]! : [...actions],
    Resource: [...resources],
    Condition: { Bool: { [SECURE_TRANSPORT.key]: SECURE_TRANSPORT.insecure } },
  };
}
