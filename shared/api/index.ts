export * from './contract.js';
export * from './errors.js';
export * from './wire.js';
export * from './bridge.js';
