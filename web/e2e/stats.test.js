// Browser tests of the statistics page (办件统计) against a real server on a fresh demo store.
// Run: `make e2e` (or `npm run e2e` in web/ after `make` and `make web`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, apiLogin } from './harness.js';

let srv;
let browser;
const pages = [];

before(async () => {
  srv = await startServer();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function open() {
  const p = await newPage(browser);
  pages.push(p);
  return p;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// The table's body rows as [name, 收件] pairs, and its total (footer) row's cells.
async function table(page) {
  const t = page.locator('[data-test=stats-table]');
  const body = await t.locator('.el-table__body tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
  const foot = await t.locator('.el-table__footer tr').first().evaluate((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()));
  return { body, foot };
}

// Days as YYYY-MM-DD, counted on the calendar (no time zones involved).
function addDays(ymd, n) {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

test('the supervisor reads the statistics by township and by month, and exports them to Excel', async () => {
  const sup = await apiLogin(srv.base, 'supervisor');
  // The page opens on this month, which may be one day old; the demo's cases cover the last
  // five months up to yesterday, so last month (the 上月 button) always has them.
  const today = (await sup('GET', '/api/v1/stats/cases?group_by=township')).body.to;
  const lastTo = addDays(`${today.slice(0, 7)}-01`, -1);
  const lastFrom = `${lastTo.slice(0, 7)}-01`;
  const month = (await sup('GET', `/api/v1/stats/cases?group_by=township&from=${lastFrom}&to=${lastTo}`)).body;
  assert.ok(month.total.received > 0, 'the demo store has cases last month');

  const page = await open();
  await login(page, srv.base, 'supervisor');
  await page.waitForURL(/\/supervision/);
  await page.getByRole('navigation', { name: '我的工作' }).getByRole('link', { name: '办件统计' }).click();
  await page.waitForURL(/\/supervision\/stats/);
  assert.match(await page.locator('h1').innerText(), /办件统计/);

  // Last month by township: the API's rows and total, rates as percentages.
  await page.locator('.controls label', { hasText: '上月' }).click();
  await page.waitForURL(new RegExp(`from=${lastFrom}`));
  await page.locator('[data-test=stats-table] .el-table__body td', { hasText: month.items[0].name }).first().waitFor({ timeout: 10000 });
  let { body, foot } = await table(page);
  assert.deepEqual(body.map((r) => [r[0], r[1]]), month.items.map((g) => [g.name, String(g.received)]));
  assert.ok(body.some((r) => /镇|地区|街道/.test(r[0])), 'township rows');
  assert.equal(foot[0], '合计');
  assert.equal(foot[1], String(month.total.received));
  assert.match(foot[4], /^\d+\.\d%$|^—$/);
  assert.match(await page.locator('[data-test=stats-period]').innerText(), new RegExp(`${month.from} 至 ${month.to}`));
  assert.equal(await page.locator('[data-test=stats-chart] canvas').count(), 1);

  // The last 120 days by month (the conditions are in the address): several months.
  const from = addDays(today, -120);
  const year = (await sup('GET', `/api/v1/stats/cases?group_by=month&from=${from}&to=${today}`)).body;
  assert.ok(year.items.length >= 4);
  await page.goto(`${srv.base}/supervision/stats?group_by=month&from=${from}&to=${today}`);
  await page.locator('[data-test=stats-table] .el-table__body td', { hasText: year.items[0].name }).first().waitFor({ timeout: 10000 });
  ({ body, foot } = await table(page));
  assert.deepEqual(body.map((r) => r[0]), year.items.map((g) => g.name));
  assert.ok(body.every((r) => /^\d{4}年\d{1,2}月$/.test(r[0])), 'month rows');
  assert.equal(foot[1], String(year.total.received));

  // The export link is the same query as a workbook.
  const href = await page.locator('[data-test=export]').getAttribute('href');
  assert.match(href, /group_by=month/);
  assert.match(href, /format=xlsx/);
  const got = await page.evaluate(async (u) => {
    const r = await fetch(u);
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('Content-Type'), zip: String.fromCharCode(b[0], b[1]) };
  }, href);
  assert.deepEqual(got, { status: 200, type: XLSX, zip: 'PK' });

  // A period the API refuses: its Chinese field error is shown.
  await page.goto(`${srv.base}/supervision/stats?group_by=township&from=2026-03-31&to=2026-03-01`);
  const alert = page.locator('.load-error');
  await alert.waitFor({ timeout: 10000 });
  assert.match(await alert.innerText(), /开始日期不能晚于结束日期/);
});

test('a window clerk has no statistics link and is refused the page', async () => {
  const page = await open();
  await login(page, srv.base, 'xtgz_clerk');
  await page.waitForURL(/\/desk$/);
  const staffNav = page.getByRole('navigation', { name: '我的工作' });
  await staffNav.getByRole('link', { name: '综合受理台' }).waitFor();
  assert.equal(await staffNav.getByRole('link', { name: /统计/ }).count(), 0);
  await page.goto(`${srv.base}/supervision/stats`);
  assert.match(await page.locator('h1').innerText(), /无权访问/);
});

test('no page broke the content security policy or threw', () => {
  const problems = pages.flatMap((p) => p.problems);
  assert.deepEqual(problems, []);
});
