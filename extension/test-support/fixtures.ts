// The protocol's fixtures live with the protocol (shared/); the extension's tests keep importing them here.
export * from '../../shared/test-support/fixtures.ts';
