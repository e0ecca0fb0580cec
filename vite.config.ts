import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icons/*.svg', 'icons/*.png'],
      manifest: {
        name: 'MetaQNN in the browser',
        short_name: 'MetaQNN',
        description: 'A reinforcement-learning agent designs CNNs and trains them on your GPU.',
        theme_color: '#1d3557',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '.',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        // The app shell and worker bundles are precached; TF.js bundles are large.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        globIgnores: ['datasets/**'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        // Datasets are cached on first use, and only there (one place, see README).
        runtimeCaching: [
          {
            urlPattern: ({ url }) => url.pathname.includes('/datasets/'),
            handler: 'CacheFirst',
            options: { cacheName: 'datasets', expiration: { maxEntries: 64 } },
          },
        ],
      },
    }),
  ],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
