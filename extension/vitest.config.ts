import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing';

// The root is pinned so the project finds ./entrypoints and #imports when run from the workspace root.
export default defineConfig({
  plugins: [WxtVitest({ root: fileURLToPath(new URL('.', import.meta.url)) })],
  test: { name: 'extension', include: ['**/*.test.{ts,tsx}'], exclude: ['node_modules/**', '.output/**'] },
});
