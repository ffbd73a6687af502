/**
 * The names an AWS SDK for JavaScript v3 error carries when the caller's credentials or permissions
 * are the problem, not the service or the network: an answer about the caller, never about the
 * resource asked for, and never evidence that a region is impaired. One list for every tool that
 * talks to AWS (the operator CLI, the stack runner).
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/the-response-object.html
 */

/**
 * Credentials. CredentialsProviderError and TokenProviderError are the SDK's own, thrown before any
 * request when the provider chain finds nothing usable ("the chain will throw an error when all of
 * the providers fail": https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/migrate-credential-providers.html).
 * The others are the services' common errors: ExpiredToken (Query and REST-XML protocols, e.g. RDS,
 * Route 53) and ExpiredTokenException (JSON protocols, e.g. CloudWatch), InvalidClientTokenId and
 * UnrecognizedClientException ("The X.509 certificate or AWS access key ID provided does not exist in
 * our records"), IncompleteSignature, SignatureDoesNotMatch, MissingAuthenticationToken:
 * https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html
 */
export const AWS_CREDENTIAL_ERROR_CODES: ReadonlySet<string> = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'ProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
]);

/**
 * Authorisation: AccessDenied (Query and REST-XML), AccessDeniedException (JSON), NotAuthorized
 * (common errors, same page as above), UnauthorizedOperation (EC2-style Query APIs) and
 * AuthorizationError (SNS-style Query APIs).
 */
export const AWS_AUTHORISATION_ERROR_CODES: ReadonlySet<string> = new Set(['AccessDenied', 'AccessDeniedException', 'NotAuthorized', 'UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedException']);
