import { type AwsErrorKind, OperatorError, classifyAwsError, isOperatorError, missingResource, operatorError, raiseForOperator } from '../src/errors';

/** An error as the SDK raises it for an answer: the service's code as its name, and the HTTP status. */
const answered = (name: string, status: number, message = 'm', attempts = 1) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts } });
/** An error with no HTTP answer behind it. */
const silent = (name: string, code?: string) => Object.assign(new Error('no answer'), { name, ...(code ? { code } : {}), $metadata: { attempts: 3 } });

describe('classifyAwsError', () => {
  it.each<[string, Error, AwsErrorKind]>([
    ['no credentials (SDK provider chain)', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'credentials'],
    ['an expired SSO token', Object.assign(new Error('Token is expired.'), { name: 'TokenProviderError' }), 'credentials'],
    ['ExpiredToken (Query, REST-XML)', answered('ExpiredToken', 403), 'credentials'],
    ['ExpiredTokenException (JSON)', answered('ExpiredTokenException', 403), 'credentials'],
    ['InvalidClientTokenId', answered('InvalidClientTokenId', 403), 'credentials'],
    ['UnrecognizedClientException', answered('UnrecognizedClientException', 403), 'credentials'],
    ['SignatureDoesNotMatch', answered('SignatureDoesNotMatch', 403), 'credentials'],
    ['AccessDenied', answered('AccessDenied', 403), 'authorisation'],
    ['AccessDeniedException', answered('AccessDeniedException', 400), 'authorisation'],
    ['UnauthorizedOperation', answered('UnauthorizedOperation', 403), 'authorisation'],
    ['AuthorizationError', answered('AuthorizationError', 403), 'authorisation'],
    ['ValidationError', answered('ValidationError', 400), 'validation'],
    ['InvalidParameterValue', answered('InvalidParameterValue', 400), 'validation'],
    ['InvalidParameterCombination', answered('InvalidParameterCombination', 400), 'validation'],
    ['InvalidInput (Route 53)', answered('InvalidInput', 400), 'validation'],
    ['DBClusterNotFoundFault', answered('DBClusterNotFoundFault', 404), 'not-found'],
    ['GlobalClusterNotFoundFault', answered('GlobalClusterNotFoundFault', 404), 'not-found'],
    ['NoSuchHostedZone', answered('NoSuchHostedZone', 404), 'not-found'],
    ['TargetGroupNotFoundException', answered('TargetGroupNotFoundException', 400), 'not-found'],
    ['Throttling past the retries (Query)', answered('Throttling', 400, 'Rate exceeded', 3), 'throttled'],
    ['ThrottlingException past the retries (JSON)', answered('ThrottlingException', 400, 'Rate exceeded', 3), 'throttled'],
    ['PriorRequestNotComplete (Route 53)', answered('PriorRequestNotComplete', 400), 'throttled'],
    ['an HTTP 429', answered('SomethingElse', 429), 'throttled'],
    ['a 503', answered('ServiceUnavailable', 503), 'server'],
    ['a 500 with any code', answered('InternalFailure', 500), 'server'],
    ['the SDK timeout', silent('TimeoutError', 'ETIMEDOUT'), 'unreachable'],
    ['a refused connection', silent('Error', 'ECONNREFUSED'), 'unreachable'],
    ['a name that does not resolve', silent('Error', 'ENOTFOUND'), 'unreachable'],
    ['a region skipped after it failed to answer', Object.assign(new Error('us-east-1 did not answer 12 s ago'), { name: 'RegionSkipped' }), 'unreachable'],
    ['a state fault the service answered', answered('InvalidGlobalClusterStateFault', 400), 'other'],
    ['Ctrl-C', Object.assign(new Error('interrupted'), { name: 'AbortError' }), 'other'],
    ['a program error', new TypeError('x is undefined'), 'other'],
  ])('%s', (_name, error, kind) => {
    const classified = classifyAwsError(error);
    expect(classified.kind).toBe(kind);
    expect(classified.impaired).toBe(['unreachable', 'throttled', 'server'].includes(kind));
    expect(classified.operator).toBe(['credentials', 'authorisation', 'validation', 'not-found'].includes(kind));
  });

  it('never counts an operator problem as an outage, even with a 5xx status', () => {
    // An answer is an answer: a credential error that came back is not a region that failed.
    expect(classifyAwsError(answered('ExpiredToken', 500))).toMatchObject({ kind: 'credentials', impaired: false, operator: true });
  });

  it('keeps the code, the message, the status and the attempts', () => {
    expect(classifyAwsError(answered('Throttling', 400, 'Rate exceeded', 3))).toEqual({
      kind: 'throttled',
      code: 'Throttling',
      message: 'Rate exceeded',
      impaired: true,
      operator: false,
      httpStatus: 400,
      attempts: 3,
    });
  });
});

describe('operatorError', () => {
  const context = { service: 'rds' as const, operation: 'DescribeGlobalClusters', region: 'us-east-1', resource: 'global cluster txdr-dev-global', environment: 'dev' };

  it('names missing credentials and how to get them', () => {
    const error = operatorError(classifyAwsError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })), context);
    expect(error.message).toBe('no AWS credentials found: set AWS_PROFILE or run `aws sso login` (CredentialsProviderError: Could not load credentials from any providers)');
    expect(error.kind).toBe('credentials');
  });

  it('names expired credentials, whatever the protocol calls them', () => {
    for (const name of ['ExpiredToken', 'ExpiredTokenException']) {
      expect(operatorError(classifyAwsError(answered(name, 403, 'The security token included in the request is expired')), context).message).toMatch(/^the AWS credentials have expired: refresh them/);
    }
    // An SSO session that ended reaches the SDK's provider chain first.
    const sso = Object.assign(new Error('The SSO session associated with this profile has expired or is otherwise invalid.'), { name: 'CredentialsProviderError' });
    expect(operatorError(classifyAwsError(sso), context).problem).toBe('the AWS credentials have expired');
  });

  it('names the IAM action a denied call needs, and where it was denied', () => {
    const error = operatorError(classifyAwsError(answered('AccessDenied', 403, 'User: arn:aws:sts::1:assumed-role/x/y is not authorized to perform: rds:DescribeGlobalClusters')), context);
    expect(error.message).toMatch(/^AccessDenied on rds:DescribeGlobalClusters in us-east-1: the operator role needs rds:DescribeGlobalClusters/);
    expect(error.message).toContain('(AccessDenied: User: arn:aws:sts::1:assumed-role/x/y is not authorized to perform: rds:DescribeGlobalClusters)');
  });

  it('names a missing resource with the environment to check', () => {
    const error = operatorError(classifyAwsError(answered('GlobalClusterNotFoundFault', 404, 'GlobalCluster txdr-dev-global not found')), context);
    expect(error.message).toMatch(/^global cluster txdr-dev-global does not exist \(rds:DescribeGlobalClusters in us-east-1\): check ENVIRONMENT_SUFFIX \(dev\)/);
    expect(operatorError(missingResource('NoSuchAutoScalingGroup', 'none'), { ...context, service: 'autoscaling', operation: 'DescribeAutoScalingGroups', resource: 'Auto Scaling group g' }).kind).toBe('not-found');
  });

  it('refuses to make an outage into an operator problem', () => {
    expect(() => operatorError(classifyAwsError(silent('TimeoutError')), context)).toThrow('not an operator error: unreachable');
  });
});

describe('raiseForOperator', () => {
  const context = { service: 'route53' as const, operation: 'ChangeResourceRecordSets' };

  it('throws the operator problems and returns the rest', () => {
    expect(() => raiseForOperator(answered('AccessDenied', 403), context)).toThrow(OperatorError);
    expect(raiseForOperator(silent('TimeoutError'), context)).toMatchObject({ kind: 'unreachable', impaired: true });
    expect(raiseForOperator(answered('InvalidChangeBatch', 400), context)).toMatchObject({ kind: 'other', impaired: false, operator: false });
  });

  it('passes an OperatorError through unchanged', () => {
    const error = operatorError(classifyAwsError(answered('ExpiredToken', 403)), context);
    try {
      raiseForOperator(error, context);
      throw new Error('not thrown');
    } catch (thrown) {
      expect(thrown).toBe(error);
      expect(isOperatorError(thrown)).toBe(true);
    }
  });
});
