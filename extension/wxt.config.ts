import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

/**
 * Public half of the extension's signing key: it fixes the extension id to
 * mhhdpgaalaanknachkpngapecflhnbnl, so the companion can allow exactly one Origin
 * (chrome-extension://mhhdpgaalaanknachkpngapecflhnbnl) and tests can open its pages by URL.
 */
const KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1ZwT/N+302AcXItHvmRypnbSuYoXwSFocJ+I2uZtqEtcTkgeJj3Wz3+WjiCIwk+skNYsRjzSA6gsmuN5bPvKXBm32/UzWQduZNX8kDfYdcZCrIVCnBvuvG4ZD7rtaXAAwQuHGL9WbPXCYGNYcUL9U00+lnfbsi22lVTj1m69kiCKtJaaaott4vagKpVYCw1lzKQGCtda/iYrauejC7nVdDkcFpwcwa7XjMC72GJD6w8YSNoKL024WZ5c8hzR7Oz4cnbvQsNV6J3OIdHVhmtgg1nC5b9wupskTEPk5FKAilrC4zE2D3NoarJOszCF7j+auu5tjAFR0EbCRBVoVBKEvQIDAQAB';

export default defineConfig({
  manifest: {
    name: 'Tierwatch',
    description: 'TP/SL urgency tiers for hundreds of futures positions, from your local companion.',
    key: KEY,
    // alarms: wakes a suspended service worker so the socket comes back; notifications: CRITICAL and SL/TP.
    permissions: ['storage', 'notifications', 'alarms'],
    // The companion binds loopback only; a host pattern without a port matches every port.
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
    action: { default_title: 'Tierwatch' },
  },
  vite: () => ({ plugins: [preact()] }),
});
