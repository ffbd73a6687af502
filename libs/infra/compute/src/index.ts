export { ServiceArtifact, type ServiceArtifactProps } from './artifact';
export { ServiceLoadBalancer, TLS_POLICY, type ServiceLoadBalancerProps } from './load-balancer';
export { AGENT_NAMESPACE, ServiceFleet, amazonLinuxParameter, architectureOf, type ServiceFleetProps } from './service-fleet';
export { USER_DATA_LIMIT_BYTES, environmentFileOf, renderUserData, type UserDataValues } from './user-data';
