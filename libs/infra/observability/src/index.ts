export { AlertTopic, type AlertTopicProps } from './alert-topic';
export { HEALTH_CHECK_ZIP, healthCheckAsset } from './asset';
export { AWS_METRICS, rpoLagQuery } from './aws-metrics';
export { DrDashboard, type DashboardRegionInputs, type DrDashboardProps } from './dashboard';
export {
  ACTIONS_WITHOUT_RESOURCE_SCOPE,
  HealthCheckFunction,
  healthCheckNames,
  type HealthCheckFunctionProps,
  type HealthCheckNames,
} from './health-check-function';
export { RegionalObservability, type RegionalAlarm, type RegionalObservabilityProps } from './regional-observability';
export {
  WritableRegionAlarms,
  plannedSwitchoverGapMinutes,
  type WritableCheckTimings,
  type WritableRegionAlarm,
  type WritableRegionAlarmsProps,
} from './writable-region-alarms';
