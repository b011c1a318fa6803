/**
 * Public half of the extension's signing key (DER, base64): Chrome derives the extension id from it, so the
 * id is EXTENSION_ID (@tierwatch/shared) for every build, the companion can admit exactly that Origin, and
 * tests can open the extension's pages by URL. manifest-key.test.ts checks the two agree.
 */
export const KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1ZwT/N+302AcXItHvmRypnbSuYoXwSFocJ+I2uZtqEtcTkgeJj3Wz3+WjiCIwk+skNYsRjzSA6gsmuN5bPvKXBm32/UzWQduZNX8kDfYdcZCrIVCnBvuvG4ZD7rtaXAAwQuHGL9WbPXCYGNYcUL9U00+lnfbsi22lVTj1m69kiCKtJaaaott4vagKpVYCw1lzKQGCtda/iYrauejC7nVdDkcFpwcwa7XjMC72GJD6w8YSNoKL024WZ5c8hzR7Oz4cnbvQsNV6J3OIdHVhmtgg1nC5b9wupskTEPk5FKAilrC4zE2D3NoarJOszCF7j+auu5tjAFR0EbCRBVoVBKEvQIDAQAB';
