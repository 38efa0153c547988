import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

// Preact through esbuild's automatic JSX runtime (no Babel plugin needed); output next to the Nest build.
export default defineConfig({
  root,
  base: '/dashboard/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Everything is served by the app itself; nothing is inlined as data: except tiny icons.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8000', '/docs-json': 'http://127.0.0.1:8000', '/health': 'http://127.0.0.1:8000', '/metrics': 'http://127.0.0.1:8000' } },
});
