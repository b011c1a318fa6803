export * from './config.ts';
export * from './resource-cache.ts';
