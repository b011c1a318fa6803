import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

export default defineConfig({
  manifest: {
    name: 'Tierwatch',
    description: 'TP/SL urgency tiers for hundreds of futures positions, from your local companion.',
    permissions: ['storage', 'notifications'],
    host_permissions: ['http://127.0.0.1/*'],
  },
  vite: () => ({ plugins: [preact()] }),
});
