export { bundleFunction, type BundleFunctionOptions, type FunctionBundle } from './bundle';
export { zipOne } from './zip';
