import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing';

export default defineConfig({
  plugins: [WxtVitest()],
  test: { name: 'extension', include: ['**/*.test.{ts,tsx}'], exclude: ['node_modules/**', '.output/**'] },
});
