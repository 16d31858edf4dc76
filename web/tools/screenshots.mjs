// Screenshots of the main screens, desktop and phone, for the user guide
// (docs/screenshots/). Usage (after `make` and `make web`): node web/tools/screenshots.mjs
// Chinese text needs a CJK font for chromium: apt-get install fonts-noto-cjk.
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, newPage, login, PHONE } from '../e2e/harness.js';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');
const DESK = { viewport: { width: 1280, height: 860 } };
const srv = await startServer({ cases: 3000 }); // the full demo history: queues and warnings to show
const browser = await launch();
const shot = (page, name, full = false) => page.screenshot({ path: `${out}/${name}.png`, fullPage: full });
try {
  const pub = await newPage(browser, PHONE);
  await pub.goto(`${srv.base}/`);
  await shot(pub, 'phone-home');
  await pub.goto(`${srv.base}/guide/1`);
  await pub.locator('[data-test=promised-days]').waitFor();
  await shot(pub, 'phone-item');

  const clerk = await newPage(browser, DESK);
  await login(clerk, srv.base, 'xtgz_clerk');
  await clerk.waitForURL(/\/desk$/);
  await clerk.getByRole('combobox', { name: '搜索事项（名称或关键词）' }).click();
  await clerk.keyboard.type('低保');
  await clerk.getByRole('option', { name: /最低生活保障审核确认/ }).first().click();
  await clerk.getByLabel('身份证号码').fill('110105194912310021');
  await clerk.getByLabel('姓名').fill('张三');
  await clerk.getByLabel('联系电话').fill('13812345678');
  await clerk.locator('[data-test="material-最低生活保障申请书"] .el-checkbox').click();
  await clerk.getByLabel('姓名').focus();
  await clerk.waitForTimeout(600); // let the checkbox's transition finish
  await shot(clerk, 'desk-intake');
  await clerk.getByLabel('身份证号码').fill('11010519491231002X');
  await clerk.getByRole('button', { name: '一次性告知补正' }).click();
  await clerk.getByRole('button', { name: '确认告知' }).click();
  await clerk.locator('[data-test=intake-result]').waitFor();
  const caseNo = (await clerk.locator('[data-test=case-no]').innerText()).trim();
  const code = (await clerk.locator('[data-test=query-code]').innerText()).trim();
  await shot(clerk, 'desk-result');
  await clerk.goto(`${srv.base}/office/cases/${caseNo}`);
  await clerk.locator('[data-test=case-status]').waitFor();
  await shot(clerk, 'case-detail', true);

  const handler = await newPage(browser, DESK);
  await login(handler, srv.base, 'rsj_handler');
  await handler.waitForURL(/\/office/);
  await handler.getByRole('tab', { name: '本单位办件' }).click();
  await handler.locator('.el-table__body tr').first().waitFor();
  await shot(handler, 'office-queue');

  const sup = await newPage(browser, DESK);
  await login(sup, srv.base, 'supervisor');
  await sup.waitForURL(/\/supervision/);
  await sup.locator('canvas').waitFor();
  await sup.waitForTimeout(800);
  await shot(sup, 'supervision-warnings');
  // The statistics of the demo's months, by month (the chart is a line over months).
  const since = new Date();
  since.setUTCDate(1);
  since.setUTCMonth(since.getUTCMonth() - 5);
  await sup.goto(`${srv.base}/supervision/stats?group_by=month&from=${since.toISOString().slice(0, 8)}01&to=${new Date().toISOString().slice(0, 10)}`);
  await sup.locator('[data-test=stats-chart] canvas').waitFor();
  await sup.waitForTimeout(1200);
  await shot(sup, 'supervision-stats', true);

  await pub.goto(`${srv.base}/progress?case_no=${caseNo}&code=${code}`);
  await pub.locator('[data-test=progress-result]').waitFor();
  await shot(pub, 'phone-progress');
  await pub.goto(`${srv.base}/demands`);
  await shot(pub, 'phone-demand');
  // Administration (系统管理): the catalog, an item, the calendar, org units and users,
  // disclosure publishing; the catalog and the calendar on a phone too.
  const adm = await newPage(browser, DESK);
  await login(adm, srv.base, 'admin');
  await adm.waitForURL((u) => !u.pathname.startsWith('/login'));
  await adm.goto(`${srv.base}/admin/catalog`);
  await adm.locator('[data-test=item-table] .el-table__body tr').first().waitFor();
  await shot(adm, 'admin-catalog');
  await adm.goto(`${srv.base}/admin/catalog/1`);
  await adm.locator('[data-test=item-head]').waitFor();
  await adm.waitForTimeout(300);
  await shot(adm, 'admin-item', true);
  await adm.goto(`${srv.base}/admin/calendar`);
  await adm.locator('[data-test=year-view] .day').first().waitFor();
  await shot(adm, 'admin-calendar');
  await adm.goto(`${srv.base}/admin/org`);
  await adm.locator('[data-test=user-table] .el-table__body tr').first().waitFor();
  await adm.locator('[data-test=org-tree] .el-tree-node__content', { hasText: '西田各庄镇' }).first().click();
  await adm.locator('[data-test=unit-detail]').waitFor();
  await adm.waitForTimeout(300);
  await shot(adm, 'admin-org');
  await adm.goto(`${srv.base}/admin/powers`);
  await adm.locator('[data-test=delegations] .el-table__body tr').first().waitFor();
  await shot(adm, 'admin-powers');
  await adm.goto(`${srv.base}/admin/disclosure`);
  await adm.locator('[data-test=publications] .el-table__body tr').first().waitFor();
  await adm.locator('[data-test=publications] .el-table__body tr').first().getByRole('button').first().click();
  await adm.getByRole('dialog').waitFor();
  await adm.waitForTimeout(500);
  await shot(adm, 'admin-disclosure');
  const admPhone = await newPage(browser, PHONE);
  await login(admPhone, srv.base, 'admin');
  await admPhone.waitForURL((u) => !u.pathname.startsWith('/login'));
  await admPhone.goto(`${srv.base}/admin/catalog`);
  await admPhone.locator('[data-test=item-table] .el-table__body tr').first().waitFor();
  await shot(admPhone, 'phone-admin-catalog');
  await admPhone.goto(`${srv.base}/admin/calendar`);
  await admPhone.locator('[data-test=year-view] .day').first().waitFor();
  await shot(admPhone, 'phone-admin-calendar');
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await srv.stop();
}
