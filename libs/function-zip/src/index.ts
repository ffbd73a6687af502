export { bundleFunction, type BundleFunctionOptions, type FunctionBundle } from './bundle';
export { reportBuild, writeFunctionZip, type FunctionZip } from './write';
export { zipOne } from './zip';
