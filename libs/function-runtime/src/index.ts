export { jsonLogger, type Logger } from './log';
export { CallTimeoutError, describeError, withTimeout } from './timeout';
