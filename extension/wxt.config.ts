import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import companion from '../companion/package.json' with { type: 'json' };
import { KEY } from './manifest-key.ts';

export default defineConfig({
  manifest: {
    name: 'Tierwatch',
    description: 'TP/SL urgency tiers for hundreds of futures positions, from your local companion.',
    key: KEY,
    // alarms: wakes a suspended service worker so the socket comes back; notifications: CRITICAL and SL/TP;
    // offscreen: the optional alert sound (a service worker cannot play audio).
    permissions: ['storage', 'notifications', 'alarms', 'offscreen'],
    // The companion binds loopback only; a host pattern without a port matches every port.
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
    action: { default_title: 'Tierwatch' },
  },
  vite: () => ({ plugins: [preact()] }),
  // `pnpm package`: the extension as a zip ready to load, named for the companion it pairs with.
  zip: { artifactTemplate: `tierwatch-extension-${companion.version}-{{browser}}.zip` },
});
