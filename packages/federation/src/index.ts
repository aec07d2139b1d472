export * from './child-link.ts';
export * from './clock.ts';
export * from './fan-out.ts';
export * from './merge.ts';
export * from './heartbeat.ts';
export * from './remote-node.ts';
export * from './federated-node-service.ts';
