// The outbox: events written with the changes they tell of (writer.ts), published after commit
// and relayed until acknowledged (relay.ts).
export * from './writer';
export * from './relay';
