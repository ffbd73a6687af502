export { BootstrapError, TLS_ONLY_SID, bootstrapStateBucket, tlsOnlyStatement, type StateBucket, type StepResult } from './bootstrap';
