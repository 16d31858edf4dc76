// The issue's whole flow in the browser, against a real server on a fresh demo store: an
// online application with a missing material, the window's one-time supplement notice, the
// resident's online supplement, acceptance, assignment to a colleague, a supervision notice
// and its answer, approval by the county department, hand-over, a bad rating and its
// rectification task. Then the wall display against the API, and the public participation
// pages on a phone.
// Run: `cd web && BIANMIN_BIN=$PWD/../build/bianmin node --test e2e/flow.test.js`.
// BIANMIN_SHOTS=1 also saves the screens to docs/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, newPage, login, apiLogin, PHONE } from './harness.js';

const SHOTS = process.env.BIANMIN_SHOTS ? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots') : '';
const DESK = { viewport: { width: 1280, height: 860 } };
const WALL = { viewport: { width: 1920, height: 1080 } };
const RSJ = '北京市密云区人力资源和社会保障局';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

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

async function shot(page, name, full = false) {
  if (!SHOTS) return;
  await page.waitForTimeout(500); // transitions
  await page.evaluate(() => document.querySelectorAll('.el-message').forEach((m) => m.remove())); // toasts
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: full });
}

// Logs in through the UI and waits until the app has left the log-in page.
async function signIn(page, user) {
  await login(page, srv.base, user);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

// Opens a case's back-office page and waits for its status.
async function caseStatus(page, caseNo, want) {
  await page.goto(`${srv.base}/office/cases/${caseNo}`);
  await page.locator('[data-test=case-status]', { hasText: want }).waitFor();
}

async function act(page, action, note) {
  await page.locator(`[data-test=act-${action}]`).click();
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  if (note) await dlg.getByLabel(/理由|备注/).fill(note);
  await page.locator('[data-test=action-confirm]').click();
  await dlg.waitFor({ state: 'hidden' });
}

test('the issue\'s flow: supplement online, assign, supervise, approve, hand over, rate badly, rectify', async () => {
  // Set-up through the API: a second handler in 人社局, and the resident's online
  // application for 就业失业登记 with the registration form missing.
  const admin = await apiLogin(srv.base, 'admin');
  const orgs = (await admin('GET', '/api/v1/org-units?flat=true&limit=500')).body.items;
  const rsj = orgs.find((o) => o.name === RSJ);
  const xt = orgs.find((o) => o.name === '西田各庄镇');
  const made = await admin('POST', '/api/v1/users', { username: 'rsj_handler2', password: 'Bianmin2026', display_name: '林涛', roles: ['handler'], org_unit_id: rsj.id });
  assert.equal(made.status, 201);
  const citizen = await apiLogin(srv.base, 'citizen');
  const item = (await citizen('GET', `/api/v1/items?q=${encodeURIComponent('就业失业登记')}`)).body.items.find((i) => i.name === '就业失业登记');
  const app = await citizen('POST', '/api/v1/public/cases', {
    item_id: item.id,
    applicant: { name: '吴小梅', id_type: 'resident_id', id_number: '11010519491231002X', phone: '13612345678' },
    township_id: xt.id,
    materials: [],
  });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const caseNo = app.body.case_no;

  // Window: the clerk pre-reviews it and serves the one-time supplement notice.
  const clerk = await open(DESK);
  await signIn(clerk, 'xtgz_clerk');
  await caseStatus(clerk, caseNo, '已申请');
  await clerk.locator('[data-test=act-request_supplement]').click();
  await clerk.getByLabel('备注（选填）').fill('请上传本人签字的就业失业登记表');
  await clerk.locator('[data-test=action-confirm]').click();
  await clerk.locator('[data-test=case-status]', { hasText: '补正中' }).waitFor();
  assert.match(await text(clerk.locator('.el-timeline')), /需补正：[^\n]*就业失业登记表/);

  // The resident, on a phone, sees the notice under 我的办件 and supplements online.
  const phone = await open(PHONE);
  await signIn(phone, 'citizen');
  await phone.waitForURL(/\/my$/);
  assert.match(await text(phone.locator('[data-test=supplement-list]')), /待补正的办件[\s\S]*就业失业登记/);
  assert.equal(await text(phone.locator(`[data-test="status-${caseNo}"]`)), '补正中');
  await phone.locator(`[data-test="supplement-${caseNo}"]`).click();
  const form = phone.locator('[data-test=supplement-form]');
  assert.match(await text(form.locator('[data-test=missing-materials]')), /就业失业登记表/);
  assert.match(await text(form), /请上传本人签字的就业失业登记表/);
  // Nothing chosen: a clear message, nothing sent.
  await form.getByRole('button', { name: '提交补正' }).click();
  assert.match(await text(form.locator('[data-test=supplement-error]')), /请为需补正的材料选择扫描件/);
  await form.locator('[data-test="sup-file-就业失业登记表"]').setInputFiles({ name: '登记表.png', mimeType: 'image/png', buffer: PNG });
  await shot(phone, 'phone-supplement', true);
  await form.getByRole('button', { name: '提交补正' }).click();
  const box = phone.locator('.el-message-box');
  assert.match(await text(box), /将提交 1 项补正材料/);
  await box.getByRole('button', { name: '提交补正' }).click();
  await phone.locator(`[data-test="status-${caseNo}"]`, { hasText: '已申请' }).waitFor();
  assert.equal(await phone.locator('[data-test=supplement-list]').count(), 0);
  let c = (await citizen('GET', `/api/v1/cases/${caseNo}`)).body;
  assert.equal(c.status, 'submitted');
  assert.equal(c.materials.find((m) => m.name === '就业失业登记表').provided, true);
  assert.equal(c.attachments.length, 1);
  assert.equal(c.attachments[0].filename, '登记表.png');

  // Window: now complete, the clerk accepts it.
  await caseStatus(clerk, caseNo, '已申请');
  assert.match(await text(clerk.locator('[data-test=attachments]')), /登记表\.png[\s\S]*就业失业登记表/);
  await act(clerk, 'accept');
  await clerk.locator('[data-test=case-status]', { hasText: '已受理' }).waitFor();

  // 人社局: 陈静 assigns it to her colleague 林涛 (not herself).
  const handler = await open(DESK);
  await signIn(handler, 'rsj_handler');
  await caseStatus(handler, caseNo, '已受理');
  await handler.locator('[data-test=act-assign]').click();
  const dlg = handler.getByRole('dialog');
  await handler.locator('[data-test=assign-handler]').click();
  const opts = handler.getByRole('option');
  await opts.filter({ hasText: '林涛' }).waitFor();
  assert.match(await text(opts.filter({ hasText: '陈静' })), /陈静（本人）/);
  await opts.filter({ hasText: '林涛' }).click();
  await handler.locator('[data-test=assign-handler]', { hasText: '林涛' }).waitFor();
  await shot(handler, 'case-assign');
  await handler.locator('[data-test=action-confirm]').click();
  await dlg.waitFor({ state: 'hidden' });
  await handler.locator('[data-test=case-status]', { hasText: '办理中' }).waitFor();
  assert.match(await text(handler.locator('.kv', { hasText: '承办人' })), /承办人\s*林涛/);

  // Supervision sends a notice (督办通知) about it; 林涛 answers it.
  const sup = await open(DESK);
  await signIn(sup, 'supervisor');
  await sup.goto(`${srv.base}/supervision?tab=rec`);
  await sup.locator('[data-test=issue-open]').click();
  const issue = sup.getByRole('dialog', { name: '发出督办 / 红黄牌' });
  await issue.getByLabel(/受理编号/).fill('123');
  await issue.getByLabel('督办事由').fill('群众反映办理进度慢，请说明情况');
  await sup.locator('[data-test=issue-confirm]').click();
  assert.match(await text(sup.locator('[data-test=issue-error]')), /26 位受理编号/);
  await issue.getByLabel(/受理编号/).fill(caseNo);
  await sup.locator('[data-test=issue-confirm]').click();
  await issue.waitFor({ state: 'hidden' });
  const recRow = sup.locator('[data-test=sup-records] tr', { hasText: caseNo });
  assert.match(await text(recRow), new RegExp(`督办通知[\\s\\S]*${caseNo}[\\s\\S]*${RSJ}(（林涛）)?[\\s\\S]*群众反映办理进度慢[\\s\\S]*待答复`));

  const lin = await open(DESK);
  await signIn(lin, 'rsj_handler2');
  await lin.getByRole('navigation', { name: '我的工作' }).getByRole('link', { name: '督办整改' }).click();
  await lin.getByRole('tab', { name: '督办与红黄牌' }).click();
  const linRec = lin.locator('[data-test=sup-records] tr', { hasText: caseNo });
  await linRec.locator('[data-test=rec-answer]').click();
  await lin.getByLabel('答复或书面说明').fill('已核实，今日办结');
  await lin.locator('[data-test=rec-confirm]').click();
  await linRec.filter({ hasText: '已答复' }).waitFor();
  assert.match(await text(linRec), /答复：已核实，今日办结/);
  await shot(lin, 'supervision-records');

  // 林涛 approves: the case is done.
  await caseStatus(lin, caseNo, '办理中');
  await lin.locator('[data-test=act-approve]').click();
  assert.match(await text(lin.getByRole('dialog')), /不可撤销/);
  await lin.locator('[data-test=action-confirm]').click();
  await lin.locator('[data-test=case-status]', { hasText: '已办结' }).waitFor();

  // Window: hand the result over.
  await clerk.goto(`${srv.base}/desk/pickup`);
  const row = clerk.locator('tr', { hasText: caseNo });
  await row.getByRole('button', { name: '出件' }).click();
  await clerk.getByRole('button', { name: '确认出件' }).click();
  await row.waitFor({ state: 'detached' });

  // The resident rates it badly from 我的办件.
  await phone.goto(`${srv.base}/my`);
  assert.equal(await text(phone.locator(`[data-test="status-${caseNo}"]`)), '已出件');
  await phone.getByRole('link', { name: caseNo }).click();
  assert.equal(await text(phone.locator('[data-test=progress-status]')), '已出件');
  await phone.locator('.el-rate__item').nth(0).click();
  await phone.getByText('多次跑腿').click();
  await phone.getByRole('button', { name: '提交评价' }).click();
  await phone.locator('[data-test=rated]').waitFor();

  // Supervision sees the bad rating and its rectification task.
  await sup.goto(`${srv.base}/supervision?tab=rect`);
  const rectRow = sup.locator('[data-test=rectifications] tr', { hasText: caseNo });
  assert.match(await text(rectRow), new RegExp(`非常不满意[\\s\\S]*${RSJ}[\\s\\S]*待回访`));
  await rectRow.locator(`[data-test="rect-open-${caseNo}"]`).click();
  const task = sup.locator('[data-test=rect-task]');
  assert.match(await text(task.locator('[data-test=rect-reasons]')), /多次跑腿/);
  assert.match(await text(task), /当前没有您可以执行的步骤/); // the unit calls back first
  await sup.getByRole('button', { name: '关闭', exact: true }).click();

  // The department calls the resident back: the task moves on.
  await handler.goto(`${srv.base}/supervision?tab=rect`);
  const hRow = handler.locator('[data-test=rectifications] tr', { hasText: caseNo });
  await hRow.locator(`[data-test="rect-open-${caseNo}"]`).click();
  await handler.locator('[data-test=rect-callback]').click();
  await handler.locator('[data-test=rect-confirm]').click();
  assert.match(await text(handler.locator('[data-test=rect-error]')), /请填写说明/);
  await handler.getByLabel('回访情况（核实结果）').fill('已电话回访申请人，系排队等候时间较长');
  await shot(handler, 'rectification-task');
  await handler.locator('[data-test=rect-confirm]').click();
  await handler.locator('[data-test=rect-status]', { hasText: '已回访' }).waitFor();
  assert.ok(await handler.locator('[data-test=rect-rectify]').count(), 'the next step is offered');

  const rects = (await (await apiLogin(srv.base, 'supervisor'))('GET', '/api/v1/rectifications?limit=20')).body.items;
  const mine = rects.find((x) => x.case_no === caseNo);
  assert.equal(mine.status, 'called_back');
  assert.equal(mine.callback_note, '已电话回访申请人，系排队等候时间较长');
});

test('the wall display shows today\'s figures, warnings and satisfaction as the API counts them', async () => {
  const page = await open(WALL);
  await signIn(page, 'supervisor');
  await page.goto(`${srv.base}/supervision`);
  await page.getByRole('link', { name: '数据大屏' }).click();
  await page.waitForURL(/\/screen$/);
  await page.locator('[data-test=screen-updated]').filter({ hasText: /\d\d:\d\d/ }).waitFor();
  await page.locator('[data-test=town-chart] canvas').waitFor();
  await page.locator('[data-test=trend-chart] canvas').waitFor();
  assert.equal(await text(page.locator('h1')), '北京市密云区政务服务运行监测');

  const sup = await apiLogin(srv.base, 'supervisor');
  const cst = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const today = (await sup('GET', `/api/v1/stats/cases?group_by=township&from=${cst}&to=${cst}`)).body.total;
  const month = (await sup('GET', `/api/v1/stats/cases?group_by=township&from=${cst.slice(0, 8)}01&to=${cst}`)).body.total;
  const warnings = async (level) => {
    let n = 0;
    let cursor = '';
    for (;;) {
      const p = (await sup('GET', `/api/v1/supervision/warnings?level=${level}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
      n += p.items.length;
      if (!p.next_cursor) return n;
      cursor = p.next_cursor;
    }
  };
  const num = async (t) => Number((await text(page.locator(`[data-test=${t}]`))).replace(/,/g, ''));
  // The first test accepted and delivered cases today: the figures are not all zero.
  assert.ok(today.received >= 1 && today.accepted >= 1 && today.delivered >= 1);
  assert.equal(await num('today-received'), today.received);
  assert.equal(await num('today-accepted'), today.accepted);
  assert.equal(await num('today-completed'), today.completed);
  assert.equal(await num('today-delivered'), today.delivered);
  assert.equal(await num('warn-red'), await warnings('red'));
  assert.equal(await num('warn-yellow'), await warnings('yellow'));
  const pct = month.satisfaction_rate === null ? '—' : `${(Math.round(month.satisfaction_rate * 1000) / 10).toFixed(1)}%`;
  assert.equal(await text(page.locator('[data-test=satisfaction]')), pct);
  // The township chart names the townships that accepted cases this month.
  assert.match(await page.locator('[data-test=town-chart]').getAttribute('aria-label'), /西田各庄镇\d+件/);
  // Dark, full-screen.
  const bg = await page.locator('[data-test=screen]').evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { w: r.width, h: r.height };
  });
  assert.deepEqual(bg, { w: 1920, h: 1080 });
  await shot(page, 'screen');
  // A clerk has no wall display.
  const clerk = await open(DESK);
  await signIn(clerk, 'xtgz_clerk');
  await clerk.goto(`${srv.base}/screen`);
  assert.match(await text(clerk.locator('h1')), /无权访问/);
});

test('on a phone a resident sends a suggestion to the open campaign and registers for a hearing', async () => {
  const page = await open(PHONE);
  await page.goto(`${srv.base}/`);
  await page.getByRole('navigation', { name: '公众服务' }).getByRole('link', { name: '公众参与' }).click();
  await page.waitForURL(/\/participation$/);
  const camp = page.locator('[data-test=campaign]', { hasText: '西田各庄镇2027年为民办实事项目征集' });
  assert.match(await text(camp), /征集中[\s\S]*西田各庄镇/);
  const before = Number(await text(camp.locator('[data-test=campaign-count]')));
  await camp.getByRole('button', { name: '我要提建议' }).click();
  await camp.getByLabel('建议内容').fill('建议在镇文化广场增设儿童游乐设施和夜间照明。');
  await camp.getByLabel('姓名').fill('钱多多');
  await camp.getByLabel('联系电话').fill('1234');
  await camp.getByRole('button', { name: '提交建议' }).click();
  assert.match(await text(camp.locator('.field-error')), /11位手机号码/);
  await camp.getByLabel('联系电话').fill('13712345679');
  await shot(page, 'phone-campaign', true);
  await camp.getByRole('button', { name: '提交建议' }).click();
  assert.match(await text(camp.locator('[data-test=suggestion-done]')), /建议已提交（钱\*多）/);
  assert.equal(Number(await text(camp.locator('[data-test=campaign-count]'))), before + 1);

  // The township sees it among the campaign's submissions.
  const xt = await apiLogin(srv.base, 'xtgz_admin');
  const list = (await xt('GET', '/api/v1/campaigns?limit=20')).body.items;
  const c = list.find((x) => x.title === '西田各庄镇2027年为民办实事项目征集');
  const subs = (await xt('GET', `/api/v1/campaigns/${c.id}/submissions?limit=100`)).body.items;
  assert.ok(subs.some((s) => s.content === '建议在镇文化广场增设儿童游乐设施和夜间照明。'));

  // Hearings: register for the demo's land hearing.
  await page.getByRole('navigation', { name: '公众参与' }).getByRole('link', { name: '听证会报名' }).click();
  const h = page.locator('[data-test=hearing]', { hasText: '西田各庄村集体土地流转方案听证会' });
  assert.match(await text(h), /报名中/);
  const reg = Number(await text(h.locator('[data-test=hearing-registered]')));
  await h.getByRole('button', { name: '我要报名' }).click();
  await h.getByLabel('姓名').fill('钱多多');
  await h.getByLabel('联系电话').fill('13712345679');
  await h.getByText('利害关系人', { exact: true }).click();
  await h.getByRole('button', { name: '提交报名' }).click();
  assert.match(await text(h.locator('[data-test=registration-done]')), /报名成功（钱\*多）/);
  assert.equal(Number(await text(h.locator('[data-test=hearing-registered]'))), reg + 1);
  await shot(page, 'phone-hearing', true);
  // The same phone again: the server's Chinese message.
  await page.reload();
  const h2 = page.locator('[data-test=hearing]', { hasText: '西田各庄村集体土地流转方案听证会' });
  await h2.getByRole('button', { name: '我要报名' }).click();
  await h2.getByLabel('姓名').fill('钱多多');
  await h2.getByLabel('联系电话').fill('13712345679');
  await h2.getByRole('button', { name: '提交报名' }).click();
  assert.match(await text(h2.getByRole('alert')), /[\u4e00-\u9fa5]/);
  assert.equal(await h2.locator('[data-test=registration-done]').count(), 0);
});

test('no page of the flow broke the content security policy or threw', async () => {
  const problems = pages.flatMap((p) => p.problems);
  assert.deepEqual(problems, []);
});
