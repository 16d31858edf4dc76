import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The build is served by `bianmin serve --web web/dist` under a CSP of
// `script-src 'self'`: no inline scripts, no eval. During `npm run dev` the API is
// proxied to a bianmin server on BIANMIN_DEV_API (default 127.0.0.1:8080).
export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Keep the public portal light: big libraries get chunks of their own, loaded
    // by the pages that need them.
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/@vue') || id.includes('node_modules/vue') ) return 'vue';
          return undefined;
        },
      },
    },
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': `http://${process.env.BIANMIN_DEV_API || '127.0.0.1:8080'}` },
  },
});
