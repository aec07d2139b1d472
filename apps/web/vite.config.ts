import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { precompress } from './precompress.ts';

/** Where `vite dev` sends API calls: the BFF that `npm start` runs. */
const BFF_URL = process.env.TIERSCOPE_BFF_URL ?? 'http://127.0.0.1:4000';

/** Paths the BFF answers itself; the service worker never serves the app shell for them. */
const API_PATHS = /^\/(trpc|auth|uplink|livez|readyz|healthz|metrics)(\/|$)/;

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
      manifest: {
        name: 'Tierscope console',
        short_name: 'Tierscope',
        description: 'One console over every tier node of a device fleet.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#0f1318',
        theme_color: '#0f1318',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // The offline app shell: every built asset, and index.html for any navigation that is not the API.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [API_PATHS],
        cleanupOutdatedCaches: true,
        // Alert pushes: shown as notifications with an Ack action (public/push-handler.js).
        importScripts: ['/push-handler.js'],
        // A new version takes over at once, and the first visit is already served offline-ready.
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
    precompress(),
  ],
  build: {
    // bench/web.bench.ts reads the manifest to measure what the first route loads.
    manifest: true,
    sourcemap: false,
    rollupOptions: {
      output: {
        // One named chunk for ECharts, so its absence from the first route can be checked by name.
        manualChunks: (id) =>
          /[\\/]node_modules[\\/](echarts|zrender)[\\/]/.test(id) ? 'echarts' : undefined,
      },
    },
  },
  server: {
    // /auth: login, logout, /auth/me; the session cookie is the BFF's, same-origin through the proxy.
    proxy: { '/trpc': BFF_URL, '/auth': BFF_URL, '/healthz': BFF_URL },
  },
});
