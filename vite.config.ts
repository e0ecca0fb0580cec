import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The built page's Content-Security-Policy, as a <meta> (the app is static files: no server
 * to send a header). Build only: the dev server injects inline scripts for HMR. Each
 * directive's reason is in the README ("Limits and security"); a meta policy cannot set
 * frame-ancestors, sandbox or report-uri, and covers the page, not the workers' own scripts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'metaqnn-content-security-policy',
    apply: 'build',
    // Right after <meta charset> (which must come first), before any script or style it governs.
    transformIndexHtml(html) {
      const charset = /<meta charset="[^"]*"\s*\/?>/i;
      if (!charset.test(html)) throw new Error('index.html: no <meta charset> to put the Content-Security-Policy after');
      return html.replace(charset, (tag) => `${tag}\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`);
    },
  };
}

export default defineConfig({
  plugins: [
    svelte(),
    contentSecurityPolicy(),
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
        // The app shell and worker bundles are precached; TF.js bundles are large. The dataset
        // index and manifests are small and belong to the build: precached, so the list of
        // datasets shows offline and updates with the app.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}', 'datasets/index.json', 'datasets/*/manifest.json', 'lab/*.csv'],
        globIgnores: ['datasets/**/*.bin'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        // Claim the open page on first install, so what it fetches from then on goes through the
        // worker. Updates still wait for the person (registerType 'prompt': no skipWaiting).
        clientsClaim: true,
        // Dataset files are cached on first use, and only there (one place, see README). The
        // page's own offline copies (src/ui/offline-copy.ts, header x-metaqnn-offline-copy)
        // skip this route: the page writes them to the same cache and reports its errors.
        runtimeCaching: [
          {
            urlPattern: ({ url, request }) => url.pathname.includes('/datasets/') && !request.headers.has('x-metaqnn-offline-copy'),
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
