export { RegionalStack } from './regional-stack';
