// Sessions in Postgres (store.ts and the rooms it uses). Events go through ../outbox.
export * from './rows';
export * from './subscriptions';
export * from './altered-rows';
export * from './alterations';
export * from './store';
export * from './mq-api';
