// Browser tests of the web UI against a real server on a fresh demo store.
// Run: `make e2e` (or `npm run e2e` in web/ after `make` and `make web`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, apiLogin, PHONE } from './harness.js';

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

async function open(opts) {
  const p = await newPage(browser, opts);
  pages.push(p);
  return p;
}

async function text(locator) {
  await locator.first().waitFor({ state: 'visible', timeout: 10000 });
  return (await locator.first().innerText()).trim();
}

const VALID_ID = '11010519491231002X';
// A 1×1 PNG: a real scan as far as the server's content check goes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const BAD_ID = '110105194912310021'; // one digit off: the check character no longer fits

// State shared by the tests that follow one case through its life.
const shared = {};

test('log-in with a wrong password shows the API\'s Chinese message and stays logged out', async () => {
  const page = await open();
  await login(page, srv.base, 'xtgz_clerk', 'wrong-password');
  const msg = await text(page.locator('[data-test=login-error]'));
  assert.match(msg, /用户名或密码错误/);
  assert.match(page.url(), /\/login/);
  assert.equal(await page.locator('[data-test=current-user]').count(), 0);
});

test('a clerk sees the window desk, not the supervision pages; an expired session goes back to log-in', async () => {
  const page = await open();
  await login(page, srv.base, 'xtgz_clerk');
  await page.waitForURL(/\/desk$/);
  assert.match(await text(page.locator('[data-test=current-user]')), /王丽.*综合窗口受理员/);
  const staffNav = page.getByRole('navigation', { name: '我的工作' });
  assert.equal(await staffNav.getByRole('link', { name: '综合受理台' }).count(), 1);
  assert.equal(await staffNav.getByRole('link', { name: '预警监督' }).count(), 0);

  await page.goto(`${srv.base}/supervision`);
  assert.match(await text(page.locator('h1')), /无权访问/);

  // The session ends on the server side (cookie gone): the next call answers 401.
  await page.goto(`${srv.base}/desk`);
  await page.getByRole('navigation', { name: '我的工作' }).waitFor();
  await page.context().clearCookies();
  await page.getByRole('navigation', { name: '我的工作' }).getByRole('link', { name: '出件登记' }).click();
  await page.waitForURL(/\/login\?/);
  assert.match(await text(page.locator('[data-test=expired]')), /登录已过期，请重新登录/);
  // Logging in again returns to the page that was asked for.
  await page.getByLabel('用户名').fill('xtgz_clerk');
  await page.getByLabel('密码', { exact: true }).fill('Bianmin2026');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/desk\/pickup$/);
});

test('a handler lands on the back-office queue and has no window desk', async () => {
  const page = await open();
  await login(page, srv.base, 'rsj_handler');
  await page.waitForURL(/\/office/);
  const staffNav = page.getByRole('navigation', { name: '我的工作' });
  assert.equal(await staffNav.getByRole('link', { name: '我的待办' }).count(), 1);
  assert.equal(await staffNav.getByRole('link', { name: '综合受理台' }).count(), 0);
  assert.equal(await page.getByRole('tab', { name: '本单位办件' }).count(), 1);
});

async function pickItem(page, query, name) {
  const box = page.getByRole('combobox', { name: '搜索事项（名称或关键词）' });
  await box.click();
  await page.keyboard.type(query);
  await page.getByRole('option', { name: new RegExp(name) }).first().click();
  await page.getByText('材料清单').waitFor();
}

async function tick(page, material) {
  await page.locator(`[data-test="material-${material}"] .el-checkbox`).click();
}

test('the clerk intakes a case with a missing material: accept is refused with the gap, a supplement is requested', async () => {
  const page = await open();
  await login(page, srv.base, 'xtgz_clerk');
  await page.waitForURL(/\/desk$/);
  await pickItem(page, '低保', '最低生活保障审核确认');

  // Live GB 11643 check while typing.
  await page.getByLabel('身份证号码').fill(BAD_ID);
  assert.match(await text(page.locator('[data-test=id-check]')), /校验位不符/);
  await page.getByLabel('身份证号码').fill(VALID_ID);
  assert.equal(await text(page.locator('[data-test=id-check]')), '校验通过');
  await page.getByLabel('姓名').fill('张三');
  await page.getByLabel('联系电话').fill('13812345678');
  // Scanning the application form on the intake form ticks it as handed in.
  await page.locator('[data-test="scan-最低生活保障申请书"]').setInputFiles({ name: '申请书扫描.png', mimeType: 'image/png', buffer: PNG });
  assert.equal(await page.locator('[data-test="material-最低生活保障申请书"] input[type=checkbox]').isChecked(), true);

  // Accepting with materials missing: the server's problem+json, in Chinese, with each gap.
  await page.keyboard.press('Control+Enter');
  const err = await text(page.locator('[data-test=intake-error]'));
  assert.match(err, /材料不齐全，不能受理/);
  assert.match(err, /家庭成员收入情况说明/);
  assert.equal(await page.locator('[data-test=intake-result]').count(), 0);

  await page.getByRole('button', { name: '一次性告知补正' }).click();
  const box = page.getByRole('dialog', { name: '一次性告知补正' });
  assert.match(await text(box), /家庭成员收入情况说明/);
  await box.getByRole('button', { name: '确认告知' }).click();

  const result = page.locator('[data-test=intake-result]');
  assert.match(await text(result), /补正中/);
  assert.match(await text(page.locator('[data-test=scan-notes]')), /最低生活保障申请书：已上传 申请书扫描\.png/);
  shared.caseNo = await text(page.locator('[data-test=case-no]'));
  shared.code = await text(page.locator('[data-test=query-code]'));
  assert.match(shared.caseNo, /^\d{26}$/);
  assert.match(shared.code, /^\d{6}$/);

  // The printable supplement notice opens from the result panel.
  const href = await result.getByRole('link', { name: '打印补正材料一次性告知书' }).getAttribute('href');
  const doc = await page.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, body: await r.text() };
  }, href);
  assert.equal(doc.status, 200);
  assert.match(doc.body, /家庭成员收入情况说明/);

  // The scan from the intake form is on the case page; another is added there.
  await result.getByRole('link', { name: '查看办件' }).click();
  await page.locator('.upload').waitFor();
  assert.match(await text(page.locator('[data-test=attachments] li', { hasText: '申请书扫描.png' })), /最低生活保障申请书/);
  assert.equal(await page.getByRole('combobox', { name: '材料' }).count(), 1);
  await page.locator('.upload .el-select').click();
  await page.getByRole('option', { name: '最低生活保障申请书' }).click();
  await page.locator('[data-test=upload-file]').setInputFiles({ name: '申请书背面.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: '上传' }).click();
  assert.match(await text(page.locator('[data-test=attachments] li', { hasText: '申请书背面.png' })), /最低生活保障申请书/);
  // A file that is not a scan is refused with the server's Chinese message.
  await page.locator('[data-test=upload-file]').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
  await page.getByRole('button', { name: '上传' }).click();
  assert.match(await text(page.locator('.upload [role=alert]')), /PDF、JPEG 或 PNG/);

  // What the server recorded.
  const r = await fetch(`${srv.base}/api/v1/public/cases/${shared.caseNo}?code=${shared.code}`);
  const pub = await r.json();
  assert.equal(pub.status, 'supplement_requested');
  assert.ok(pub.missing_materials.includes('家庭成员收入情况说明'));
  assert.ok(!pub.missing_materials.includes('最低生活保障申请书'));
});

test('the public progress lookup on a phone finds the case by number and query code, and refuses a wrong code', async () => {
  assert.ok(shared.caseNo, 'needs the case of the intake test');
  const page = await open(PHONE);
  await page.goto(`${srv.base}/progress`);
  await page.getByLabel('受理编号').fill(shared.caseNo);
  await page.getByLabel('查询码').fill(shared.code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: '查询' }).click();
  assert.match(await text(page.getByRole('alert')), /[\u4e00-\u9fa5]/);
  assert.equal(await page.locator('[data-test=progress-result]').count(), 0);

  await page.getByLabel('查询码').fill(shared.code);
  await page.getByRole('button', { name: '查询' }).click();
  const res = page.locator('[data-test=progress-result]');
  assert.equal(await text(page.locator('[data-test=progress-status]')), '补正中');
  assert.match(await text(res), /最低生活保障审核确认/);
  assert.match(await text(res), /请补正以下材料[\s\S]*家庭成员收入情况说明/);
  assert.match(await text(res), /一次性告知补正/);
});

test('accept, approve in the back office, hand over at the window, then the resident rates it from the receipt QR link', async () => {
  // Window: a complete application is accepted and the receipt printed.
  const clerk = await open();
  await login(clerk, srv.base, 'xtgz_clerk');
  await clerk.waitForURL(/\/desk$/);
  await pickItem(clerk, '失业登记', '就业失业登记');
  await clerk.getByLabel('身份证号码').fill(VALID_ID);
  await clerk.getByLabel('姓名').fill('李四');
  await clerk.getByLabel('联系电话').fill('13912345678');
  await tick(clerk, '就业失业登记表');
  await clerk.getByRole('button', { name: /^受理/ }).click();
  const result = clerk.locator('[data-test=intake-result]');
  assert.match(await text(result), /已受理/);
  assert.match(await text(result), /办结期限\s*\d{4}-\d{2}-\d{2}/);
  const caseNo = await text(clerk.locator('[data-test=case-no]'));
  const href = await result.getByRole('link', { name: '打印受理回执' }).getAttribute('href');
  const receipt = await clerk.evaluate(async (u) => (await fetch(u)).text(), href);
  assert.match(receipt, new RegExp(caseNo));
  // The QR code encodes this address; the SPA must have a page there.
  const qr = receipt.match(/https?:\/\/[^"<\s]*\/progress\?case_no=[^"<\s]*/);
  assert.ok(qr, 'the receipt carries the progress URL');
  const qrPath = new URL(qr[0].replace(/&amp;/g, '&'));

  // Back office: the 人社局 handler approves.
  const handler = await open();
  await login(handler, srv.base, 'rsj_handler');
  await handler.waitForURL(/\/office/);
  // The unit's queue of running cases, by deadline, shows it with its light and days left.
  await handler.getByRole('tab', { name: '本单位办件' }).click();
  const qrow = handler.locator('.el-table__body tr', { hasText: caseNo });
  // (This item is an immediate one: due the day it is accepted.)
  assert.match(await text(qrow), /就业失业登记[\s\S]*已受理[\s\S]*(今日到期|剩余 \d+ 个工作日)/);
  assert.equal(await qrow.locator('.light').count(), 1);
  await qrow.getByRole('link', { name: caseNo }).click();
  assert.equal(await text(handler.locator('[data-test=case-status]')), '已受理');
  await handler.locator('[data-test=act-approve]').click();
  const dlg = handler.getByRole('dialog');
  assert.match(await text(dlg), /不可撤销/);
  await handler.locator('[data-test=action-confirm]').click();
  await handler.locator('[data-test=case-status]', { hasText: '已办结' }).waitFor();
  assert.match(await text(handler.locator('.el-timeline')), /准予/);

  // Window: the pick-up list shows it; hand it over.
  await clerk.goto(`${srv.base}/desk/pickup`);
  const row = clerk.locator('tr', { hasText: caseNo });
  await row.getByRole('button', { name: '出件' }).click();
  await clerk.getByRole('button', { name: '确认出件' }).click();
  await row.waitFor({ state: 'detached' });

  // Resident, on a phone, opens the receipt's QR address and rates the service badly.
  const phone = await open(PHONE);
  await phone.goto(`${srv.base}${qrPath.pathname}${qrPath.search}`);
  assert.equal(await text(phone.locator('[data-test=progress-status]')), '已出件');
  await phone.locator('.el-rate__item').nth(1).click();
  await phone.getByRole('button', { name: '提交评价' }).click();
  assert.match(await text(phone.getByRole('alert')), /至少选择一项原因/);
  await phone.getByText('服务态度不好').click();
  await phone.getByRole('button', { name: '提交评价' }).click();
  await phone.locator('[data-test=rated]').waitFor();

  const sup = await apiLogin(srv.base, 'supervisor');
  const c = await sup('GET', `/api/v1/cases/${caseNo}`);
  assert.equal(c.body.status, 'delivered');
  // The bad rating is recorded and opens a rectification task for the handling unit.
  const ratings = await sup('GET', '/api/v1/ratings?limit=5');
  const mine = ratings.body.items.find((x) => x.case_no === caseNo);
  assert.ok(mine, 'the rating is listed');
  assert.equal(mine.level, 2);
  assert.equal(mine.channel, 'online');
  assert.deepEqual(mine.reasons.map((x) => (typeof x === 'string' ? x : x.code)), ['poor_attitude']);
  const rect = await sup('GET', '/api/v1/rectifications?limit=5');
  assert.ok(rect.body.items.some((x) => x.case_no === caseNo && x.status === 'open'));

  // The supervisor sees the rectification task on the supervision page.
  const supPage = await open();
  await login(supPage, srv.base, 'supervisor');
  await supPage.waitForURL(/\/supervision/);
  await supPage.getByRole('tab', { name: '差评整改' }).click();
  const rectRow = supPage.locator('[data-test=rectifications] tr', { hasText: caseNo });
  assert.match(await text(rectRow), /不满意[\s\S]*北京市密云区人力资源和社会保障局[\s\S]*待回访/);
});

test('a resident files a demand on a phone, gets a ticket number and follows it up', async () => {
  const page = await open(PHONE);
  await page.goto(`${srv.base}/demands`);
  await page.getByRole('radio', { name: '求助' }).check({ force: true });
  await page.getByLabel('反映内容').fill('西田各庄村东口路灯坏了一个多月，晚上出行不便，请帮忙修理。');
  await page.getByLabel('联系人').fill('赵六');
  await page.getByLabel('联系电话').fill('12345');
  await page.getByRole('button', { name: '提交' }).click();
  assert.match(await text(page.locator('#d-phone-err')), /11位手机号/);
  assert.equal(await page.locator('[data-test=demand-created]').count(), 0);

  await page.getByLabel('联系电话').fill('13712345678');
  await page.getByRole('button', { name: '提交' }).click();
  const ticket = await text(page.locator('[data-test=ticket-no]'));
  const code = await text(page.locator('[data-test=demand-code]'));
  assert.match(ticket, /^D\d{18}$/);
  assert.match(code, /^\d{6}$/);

  await page.getByRole('button', { name: '查看办理情况' }).click();
  assert.equal(await text(page.locator('[data-test=demand-status]')), '待派单');
  assert.match(await text(page.locator('[data-test=demand-result]')), /求助/);

  const r = await fetch(`${srv.base}/api/v1/public/demands/${ticket}?code=${code}`);
  assert.equal(r.status, 200);
  assert.equal((await r.json()).category, 'help');
});

test('a resident applies online with a scan; the window sees it waiting for pre-review', async () => {
  const page = await open(PHONE);
  await page.goto(`${srv.base}/guide/1`);
  await page.locator('[data-test=apply-online]').click();
  // Not logged in: the log-in page, then back to the application form.
  await page.waitForURL(/\/login\?/);
  await page.getByLabel('用户名').fill('citizen');
  await page.getByLabel('密码', { exact: true }).fill('Bianmin2026');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/apply\/1$/);
  await page.getByLabel('身份证号码').fill(VALID_ID);
  assert.equal(await text(page.locator('[data-test=apply-id-check]')), '校验通过');
  await page.getByLabel('联系电话（用于接收短信通知）').fill('13612345678');
  await page.getByRole('combobox', { name: /预审窗口所在乡镇/ }).click();
  await page.keyboard.type('西田各庄');
  await page.getByRole('option', { name: '西田各庄镇' }).click();
  const png = PNG;
  await page.locator('[data-test="file-最低生活保障申请书"]').setInputFiles({ name: '申请书.png', mimeType: 'image/png', buffer: png });
  await page.getByRole('button', { name: '提交申请' }).click();
  // Required materials are missing: the resident is told before submitting.
  const warn = page.getByRole('dialog', { name: '材料不全' });
  assert.match(await text(warn), /家庭成员收入情况说明/);
  await warn.getByRole('button', { name: '仍然提交' }).click();
  const caseNo = await text(page.locator('[data-test=apply-case-no]'));
  assert.match(await text(page.locator('[data-test=upload-notes]')), /最低生活保障申请书：已上传/);
  assert.match(await text(page.locator('[data-test=apply-result]')), /西田各庄镇便民服务中心/);

  const clerk = await apiLogin(srv.base, 'xtgz_clerk');
  const c = (await clerk('GET', `/api/v1/cases/${caseNo}`)).body;
  assert.equal(c.channel, 'online');
  assert.equal(c.status, 'submitted');
  assert.equal(c.attachments.length, 1);
  assert.equal(c.materials.find((m) => m.name === '最低生活保障申请书').attachments, 1);

  const desk = await open();
  await login(desk, srv.base, 'xtgz_clerk');
  await desk.waitForURL(/\/desk$/);
  await desk.goto(`${srv.base}/desk/pickup`);
  await desk.getByRole('tab', { name: '待预审' }).click();
  assert.match(await text(desk.locator('tr', { hasText: caseNo })), /最低生活保障审核确认[\s\S]*预审受理/);
  // The clerk opens it and sees the uploaded scan, which downloads.
  await desk.locator('tr', { hasText: caseNo }).getByRole('link', { name: '预审受理' }).click();
  const file = desk.locator('[data-test=attachments] a', { hasText: '申请书.png' });
  const href = await file.getAttribute('href');
  const got = await desk.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, type: r.headers.get('Content-Type'), size: (await r.arrayBuffer()).byteLength };
  }, href);
  assert.equal(got.status, 200);
  assert.match(got.type, /image\/png/);
  assert.equal(got.size, png.length);
});

test('the public guide finds an item and shows its materials, time limit and visits on a phone', async () => {
  const page = await open(PHONE);
  await page.goto(`${srv.base}/`);
  await page.getByLabel('搜索办事事项').fill('低保');
  await page.getByRole('button', { name: '搜索' }).click();
  const hit = page.getByRole('link', { name: '最低生活保障审核确认' });
  await hit.waitFor();
  // Every filter has a label a screen reader announces.
  assert.equal(await page.getByRole('combobox', { name: '服务类别' }).count(), 1);
  await hit.click();
  assert.equal(await text(page.locator('[data-test=promised-days]')), '20 个工作日');
  assert.equal(await text(page.locator('[data-test=visits]')), '1 次');
  assert.equal(await text(page.locator('[data-test=fee]')), '不收费');
  assert.match(await text(page.locator('.el-table__body')), /家庭成员收入情况说明/);
});

test('no page broke the content security policy or threw', async () => {
  const problems = pages.flatMap((p) => p.problems);
  assert.deepEqual(problems, []);
});
