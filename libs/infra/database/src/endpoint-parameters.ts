import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import type { DrRole } from '@txn-dr/config';
import { type ParameterKey, parameterName } from '@txn-dr/contracts';
import { suppress } from '@txn-dr/infra-core';
import { Construct } from 'constructs';

export type DatabaseParameterKey = Exclude<ParameterKey, 'artifactBucket'>;

export interface EndpointParametersProps {
  /** Environment name (ENVIRONMENT_SUFFIX): the `<env>` of every parameter's path. */
  readonly environmentName: string;
  /** The region whose values these are: the `<role>` of every parameter's path. */
  readonly role: DrRole;
  /** Provider of the role's region: the service and operators read the parameters there. */
  readonly provider: AwsProvider;
  /** A value for every database parameter of the contract (the artifact bucket's is the compute layer's). */
  readonly values: Record<DatabaseParameterKey, string>;
}

/**
 * The SSM parameters under `/dr/<env>/<role>/` that the service and operators read at runtime.
 * None is secret (endpoints, a port, an ARN), so they are plain strings: the credentials
 * themselves stay in Secrets Manager.
 */
export class EndpointParameters extends Construct {
  readonly parameters: Record<DatabaseParameterKey, SsmParameter>;

  constructor(scope: Construct, id: string, props: EndpointParametersProps) {
    super(scope, id);
    const { environmentName, role, provider } = props;
    this.parameters = Object.fromEntries(
      (Object.keys(props.values) as DatabaseParameterKey[]).map((key) => {
        const parameter = new SsmParameter(this, key, {
          provider,
          name: parameterName(environmentName, role, key),
          type: 'String',
          value: props.values[key],
          description: `${key} of the ${role} region of ${environmentName}`,
        });
        suppress(parameter, [
          { id: 'ssm-secure-string', reason: 'Not a secret: a database name, endpoint, port or secret ARN the instances read at start (the password stays in Secrets Manager)' },
        ]);
        return [key, parameter];
      }),
    ) as Record<DatabaseParameterKey, SsmParameter>;
  }
}
