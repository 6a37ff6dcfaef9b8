export * from './errors';
export * from './config';
export * from './log';
export * from './topics';
export * from './subjects';
export * from './session';
export * from './accounts';
export * from './health';
