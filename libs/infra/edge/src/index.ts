export { HostedZone, type HostedZoneProps } from './hosted-zone';
export { RegionalRecord, type HealthCheckTimings, type RegionalRecordProps } from './regional-record';
export { ServiceCertificate, type ServiceCertificateProps } from './service-certificate';
export { ACTIVE_WEIGHT, STANDBY_WEIGHT, recordWeight } from './weights';
