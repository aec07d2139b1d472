export * from './open-store.ts';
export * from './migrations.ts';
