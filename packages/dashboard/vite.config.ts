// The dashboard is served by the api-gateway under /ui/ (services/api-gateway/src/dashboard.ts).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/ui/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
