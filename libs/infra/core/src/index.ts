export { configureBackend, remoteStateOf } from './backend';
export { DrStack, type DrStackProps } from './dr-stack';
export { runStackApp } from './run-stack-app';
export { defaultTags } from './tags';
