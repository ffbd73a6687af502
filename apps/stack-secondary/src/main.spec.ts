import { describeStackApp } from '@txn-dr/infra-core/testing';
import { join } from 'node:path';

describeStackApp(join(__dirname, '..'), 'secondary');
