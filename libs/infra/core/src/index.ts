export { awsContext, type AwsContext } from './aws-context';
export { configureBackend, remoteStateOf } from './backend';
export { DrStack, ROUTE53_METRICS_REGION, type DrStackProps } from './dr-stack';
export { EphemeralResource } from './ephemeral';
export { CustomerManagedKey, logsServiceGrant, type CustomerManagedKeyProps, type KeyServiceGrant } from './kms';
export { runStackApp } from './run-stack-app';
export { ServiceRole, type PolicyCondition, type PolicyStatement, type ServiceRoleProps } from './service-role';
export { defaultTags } from './tags';
export { workspaceRoot } from './workspace';
