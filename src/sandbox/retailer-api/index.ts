export { startRetailerApiSimulator, type RetailerApiSimulator, type RetailerApiSimulatorOptions } from './simulator';
export { connectRetailerApiSimulator, type RemoteRetailerApiSimulator } from './control-client';
export * from './types';
