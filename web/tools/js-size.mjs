// Measures the JavaScript a browser downloads for the first load of each page, compressed
// with gzip -9 (what a server or proxy with compression would send), on a fresh demo store.
// Usage (after `make` and `make web`): node web/tools/js-size.mjs [PATH ...]
import { gzipSync } from 'node:zlib';
import { startServer, launch } from '../e2e/harness.js';

const paths = process.argv.slice(2).length ? process.argv.slice(2) : ['/', '/guide?q=低保', '/guide/1', '/progress', '/demands', '/disclosure', '/participation', '/assessment', '/login'];
const srv = await startServer();
const browser = await launch();
try {
  console.log('| page | JS files | raw KiB | gzip KiB |\n|---|---|---|---|');
  for (const path of paths) {
    const page = await (await browser.newContext()).newPage();
    const waits = [];
    let raw = 0, gz = 0, n = 0;
    page.on('response', (r) => {
      if (!r.url().endsWith('.js')) return;
      waits.push(r.body().then((b) => { raw += b.length; gz += gzipSync(b, { level: 9 }).length; n++; }));
    });
    await page.goto(srv.base + path);
    await page.waitForLoadState('networkidle');
    await Promise.all(waits);
    console.log(`| \`${path}\` | ${n} | ${(raw / 1024).toFixed(1)} | ${(gz / 1024).toFixed(1)} |`);
    await page.context().close();
  }
} finally {
  await browser.close();
  await srv.stop();
}
