export * from './time.js';
export * from './numbers.js';
export * from './instrument.js';
export * from './market.js';
export * from './order.js';
export * from './account.js';
