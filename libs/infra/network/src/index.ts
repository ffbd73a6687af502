export { INTERFACE_SERVICES, VpcEndpoints, type VpcEndpointsProps } from './endpoints';
export { FlowLogs, type FlowLogsProps } from './flow-logs';
export { TIERS, subnetLayout, type Tier } from './layout';
export { RegionNetwork, type RegionNetworkProps } from './network';
export { RegionPeering, type PeeringSide, type RegionPeeringProps } from './peering';
export { MYSQL_PORT, SecurityGroups, listenerPorts, type SecurityGroupsProps } from './security-groups';
