import { runStackApp } from '@txn-dr/infra-core';
import { GlobalStack } from './global-stack';

runStackApp((app, env) => new GlobalStack(app, env));
