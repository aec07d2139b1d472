export * from './ids.ts';
export * from './severity.ts';
export * from './roles.ts';
export * from './time.ts';
export * from './coverage.ts';
export * from './page.ts';
export * from './policy.ts';
