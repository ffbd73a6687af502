export { awsContext, type AwsContext } from './aws-context';
export { configureBackend, remoteStateOf } from './backend';
export { DrStack, type DrStackProps } from './dr-stack';
export { CustomerManagedKey, type CustomerManagedKeyProps, type KeyServiceGrant } from './kms';
export { runStackApp } from './run-stack-app';
export { defaultTags } from './tags';
