export { ServiceArtifact, type ServiceArtifactProps } from './artifact';
export { ServiceLoadBalancer, TLS_POLICY, type ServiceLoadBalancerProps, type TargetHealthCheck } from './load-balancer';
export { AGENT_NAMESPACE, ServiceFleet, amazonLinuxParameter, architectureOf, databaseUserArns, type ServiceFleetProps } from './service-fleet';
export { USER_DATA_LIMIT_BYTES, environmentFileOf, environmentValue, renderUserData, type UserDataValues } from './user-data';
