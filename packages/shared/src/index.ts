// Server-side entry: the whole contract, routers included. The browser imports ./domain and ./schemas.
export * from './domain/index.ts';
export * from './contract/schemas.ts';
export * from './contract/errors.ts';
export * from './contract/node.service.ts';
export * from './contract/alerting.service.ts';
export * from './contract/policy.service.ts';
export * from './contract/console.service.ts';
export * from './contract/console.router.ts';
export * from './contract/trpc.ts';
export * from './contract/app.router.ts';
export * from './contract/procedures.ts';
export * from './contract/device-import.ts';
export * from './contract/order-keys.ts';
export * from './cursor-codec.ts';
export * from './mqtt/index.ts';
