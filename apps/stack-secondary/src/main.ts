import { runStackApp } from '@txn-dr/infra-core';
import { RegionalStack } from '@txn-dr/infra-regional';

runStackApp((app, env) => new RegionalStack(app, env, 'secondary'));
