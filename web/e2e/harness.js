// End-to-end harness: a fresh demo store in a temp dir, a real `bianmin serve` on a free
// loopback port serving web/dist, and Debian's chromium driven by playwright-core.
// Always stops the server and removes the temp dir.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
export const BIN = resolve(repo, process.env.BIANMIN_BIN || 'build/bianmin');
export const WEB = resolve(repo, process.env.BIANMIN_WEB_DIST || 'web/dist');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'Bianmin2026';

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startServer(opts = {}) {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run make first`);
  if (!existsSync(join(WEB, 'index.html'))) throw new Error(`${WEB}/index.html is missing: run make web first`);
  const dir = mkdtempSync(join(tmpdir(), 'bianmin-e2e-'));
  const db = join(dir, 't.db');
  const env = { ...process.env, BIANMIN_DEMO_PASSWORD: PASSWORD, BIANMIN_ADMIN_PASSWORD: PASSWORD };
  delete env.BIANMIN_CONFIG;
  delete env.BIANMIN_DB;
  // A small history keeps the store quick to make; the tests open their own cases.
  const cases = String(opts.cases ?? 200);
  execFileSync(BIN, ['demo', '--db', db, '--no-serve', '--cases', cases], { env, stdio: 'ignore' });
  const port = await freePort();
  const log = join(dir, 'server.log');
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web', WEB, '--threads', '2', '--set', 'warn_interval_s=0'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  const srv = {
    base,
    dir,
    proc,
    async stop() {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await done;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => stderr,
  };
  for (let i = 0; i < 250; i++) {
    if (proc.exitCode !== null) break;
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return srv;
    } catch {
      /* not up yet */
    }
    await sleep(40);
  }
  await srv.stop();
  throw new Error(`bianmin serve did not start:\n${stderr}`);
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

// A page that records console errors, page errors and CSP violations.
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...opts });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    const t = m.text();
    // Expected answers of the API (401 on /me when anonymous, 4xx the tests provoke).
    if (m.type() === 'error' && !/Failed to load resource/.test(t)) page.problems.push(`console: ${t}`);
  });
  return page;
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// Logs in through the UI.
export async function login(page, base, username, password = PASSWORD) {
  await page.goto(`${base}/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录' }).click();
}

// API calls outside the browser, for setting up and for checking what the UI did.
export async function apiLogin(base, username) {
  const r = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!r.ok) throw new Error(`log-in of ${username}: ${r.status}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await r.json();
  return async (method, path, body, version) => {
    const headers = { Cookie: cookie, 'X-CSRF-Token': csrf };
    if (body) headers['Content-Type'] = 'application/json';
    if (version !== undefined) headers['If-Match'] = `"${version}"`;
    const res = await fetch(`${base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

export { readFileSync };
