// Browser tests of the administration screens (issue 7, part 5) against a real server on a
// fresh demo store: the catalog editor and the public guide, the holiday calendar, the
// township administrator's scope and the clerk's lack of access.
// Run alone: `cd web && BIANMIN_BIN=$PWD/../build/bianmin node --test e2e/admin.test.js`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, apiLogin, PHONE } from './harness.js';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function text(locator) {
  await locator.first().waitFor({ state: 'visible', timeout: 10000 });
  return (await locator.first().innerText()).trim();
}

// The form item of the item editor with this label.
const field = (page, label) => page.locator('.el-form-item').filter({ has: page.locator('label', { hasText: new RegExp(`^${label}$`) }) });

async function choose(page, label, option) {
  await field(page, label).locator('.el-select').click();
  await page.getByRole('option', { name: option, exact: true }).click();
  // A click on a list still opening is lost on a busy machine: wait for the field to show it.
  await field(page, label).locator('.el-select', { hasText: option }).waitFor();
}

async function unitId(base, username) {
  const call = await apiLogin(base, username);
  return (await call('GET', '/api/v1/me')).body.user.org_unit_id;
}

const ITEM = '果树苗木补助申请';

test('an administrator creates and publishes an item; a resident finds it on a phone with its materials', async () => {
  const town = await unitId(srv.base, 'xtgz_admin');
  const page = await newPage(browser);
  await login(page, srv.base, 'admin');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  const staffNav = page.getByRole('navigation', { name: '我的工作' });
  await staffNav.getByRole('link', { name: '系统管理' }).click();
  await page.waitForURL(/\/admin\/catalog$/);
  assert.equal(await text(page.locator('h1')), '事项目录管理');
  await page.locator('[data-test=item-table] .el-table__body tr').first().waitFor();

  await page.locator('[data-test=new-item]').click();
  await page.waitForURL(/\/admin\/catalog\/new$/);
  await field(page, '实施编码').locator('input').fill('E2E-NY-0001');
  await field(page, '事项名称').locator('input').fill(ITEM);
  await choose(page, '服务类别', '农业农村');
  await field(page, '实施主体').locator('.el-select').click();
  await page.keyboard.type('西田各庄镇');
  await page.getByRole('option', { name: '西田各庄镇', exact: true }).click();
  await field(page, '搜索关键词').locator('input').fill('苗木 果树 补助');
  await field(page, '必须现场办理的原因').locator('input').fill('核验原件并签字确认');
  await field(page, '受理条件').locator('textarea').fill('本镇种植果树的农户');
  await field(page, '设定依据').locator('textarea').fill('《中华人民共和国农业法》第十条');
  await field(page, '咨询电话').locator('input').fill('010-69041111');
  await field(page, '办理地点').locator('input').fill('西田各庄镇便民服务中心');
  await page.getByRole('button', { name: '添加材料' }).click();
  await page.getByLabel('第1项材料名称').fill('居民身份证');
  await page.getByRole('button', { name: '添加材料' }).click();
  await page.getByLabel('第2项材料名称').fill('果树种植面积确认表');
  await page.locator('[data-test=save-item]').click();

  await page.waitForURL(/\/admin\/catalog\/\d+$/);
  const id = Number(page.url().match(/(\d+)$/)[1]);
  assert.equal(await text(page.locator('[data-test=item-head] [data-test=item-status]')), '草稿');

  await page.getByRole('button', { name: '发布', exact: true }).click();
  const box = page.getByRole('dialog', { name: '发布事项' });
  assert.match(await text(box), new RegExp(ITEM));
  await box.getByRole('button', { name: '发布' }).click();
  await page.locator('[data-test=item-head] [data-test=item-status]', { hasText: '已发布' }).waitFor();

  const stored = await (await fetch(`${srv.base}/api/v1/items/${id}`)).json();
  assert.equal(stored.status, 'published');
  assert.equal(stored.implementing_unit_id, town);
  assert.deepEqual(stored.materials.map((m) => m.name), ['居民身份证', '果树种植面积确认表']);
  assert.deepEqual(page.problems, []);

  // A resident on a phone searches the public guide and opens the item.
  const phone = await newPage(browser, PHONE);
  await phone.goto(`${srv.base}/guide`);
  await phone.getByLabel('事项名称或关键词').fill('苗木');
  await phone.getByRole('button', { name: '搜索' }).click();
  await phone.getByRole('link', { name: ITEM }).click();
  await phone.waitForURL(new RegExp(`/guide/${id}$`));
  assert.equal(await text(phone.locator('h1')), ITEM);
  const materials = phone.locator('[aria-label="申请材料"]');
  assert.match(await text(materials), /居民身份证/);
  assert.match(await text(materials), /果树种植面积确认表/);
  assert.equal(await text(phone.locator('[data-test=promised-days]')), '5 个工作日');
  assert.deepEqual(phone.problems, []);
  await phone.context().close();
  await page.context().close();
});

test('the administrator marks a working day off in the calendar; it is saved and shown after a reload', async () => {
  const admin = await apiLogin(srv.base, 'admin');
  // This year's schedule, or the newest one loaded: a new year's official schedule is only
  // there once somebody has entered it, and the shipped ones are 2025 and 2026.
  const loaded = (await admin('GET', '/api/v1/calendar')).body.items.map((y) => y.year);
  const now = new Date().getFullYear();
  const year = loaded.includes(now) ? now : Math.max(...loaded);
  const before = (await admin('GET', `/api/v1/calendar/${year}`)).body;
  // A Wednesday in December that is an ordinary working day.
  let day = null;
  for (let d = 1; d <= 31 && !day; d++) {
    const date = `${year}-12-${String(d).padStart(2, '0')}`;
    if (new Date(`${date}T00:00:00Z`).getUTCDay() === 3 && !before.days.some((x) => x.date === date)) day = date;
  }
  const page = await newPage(browser);
  await login(page, srv.base, 'admin');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto(`${srv.base}/admin/calendar?year=${year}`);
  const cell = page.locator(`[data-date="${day}"]`);
  await cell.waitFor();
  assert.equal(await cell.getAttribute('data-kind'), '');
  assert.match(await cell.getAttribute('aria-label'), /工作日$/);
  await page.getByLabel('新标记放假日的名称').fill('防汛停工');
  await cell.click();
  assert.equal(await cell.getAttribute('data-kind'), 'off');
  assert.match(await cell.getAttribute('aria-label'), /放假（防汛停工）/);
  await page.locator('[data-test=save-calendar]').click();
  const box = page.getByRole('dialog', { name: '保存节假日安排' });
  await box.getByRole('button', { name: '保存' }).click();
  await page.locator('[data-test=working-days]', { hasText: String(before.working_days - 1) }).waitFor();

  await page.reload();
  await page.locator(`[data-date="${day}"][data-kind="off"]`).waitFor();
  const after = (await admin('GET', `/api/v1/calendar/${year}`)).body;
  assert.deepEqual(after.days.find((x) => x.date === day), { date: day, kind: 'off', name: '防汛停工' });
  assert.equal(after.working_days, before.working_days - 1);
  assert.equal(after.version, before.version + 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the county administrator imports a catalog file: a bad one is refused with its problems, a good one adds drafts', async () => {
  const item = (code, name, unit) => ({
    code, name, type: 'public_service', category: 'agriculture', implementing_unit: unit, promised_days: 3,
    legal_days: 5, visits: 0, conditions: '本区居民', legal_basis: '《测试办法》', delivery_methods: ['post'],
    materials: [{ name: '居民身份证' }],
  });
  const file = (items) => ({ name: '目录.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ items })) });
  const page = await newPage(browser);
  await login(page, srv.base, 'admin');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto(`${srv.base}/admin/catalog`);
  await page.locator('[data-test=import-file]').setInputFiles(file([item('E2E-IMP-1', '导入的蜂蜜补助申请', '没有这个单位')]));
  await page.getByRole('button', { name: '导入', exact: true }).click();
  await page.getByRole('dialog', { name: '导入事项目录' }).getByRole('button', { name: '导入' }).click();
  const err = await text(page.locator('[data-test=import-error]'));
  assert.match(err, /未导入任何数据/);
  assert.match(err, /找不到该实施主体/);
  const admin = await apiLogin(srv.base, 'admin');
  let found = (await admin('GET', `/api/v1/items?status=any&q=${encodeURIComponent('蜂蜜补助')}`)).body.items;
  assert.equal(found.length, 0);

  await page.locator('[data-test=import-file]').setInputFiles(file([item('E2E-IMP-1', '导入的蜂蜜补助申请', '北京市密云区农业农村局')]));
  await page.getByRole('button', { name: '导入', exact: true }).click();
  await page.getByRole('dialog', { name: '导入事项目录' }).getByRole('button', { name: '导入' }).click();
  await page.getByText('已导入事项 1 项').first().waitFor();
  await page.locator('[data-test=item-table]').getByText('导入的蜂蜜补助申请').waitFor();
  found = (await admin('GET', `/api/v1/items?status=any&q=${encodeURIComponent('蜂蜜补助')}`)).body.items;
  assert.equal(found.length, 1);
  assert.equal(found[0].status, 'draft');
  await page.context().close();
});

test('a township administrator cannot edit another township\'s item: the page shows the refusal and nothing changes', async () => {
  // The county publishes an item of the other demo township (兴隆庄 side, xwz_admin's).
  const other = await unitId(srv.base, 'xwz_admin');
  const admin = await apiLogin(srv.base, 'admin');
  const made = await admin('POST', '/api/v1/items', {
    code: 'E2E-XWZ-0001', name: '农机购置补贴申请', type: 'public_service', category: 'agriculture',
    implementing_unit_id: other, promised_days: 5, legal_days: 10, visits: 1, visits_reason: '核验原件',
    conditions: '本镇农户', legal_basis: '《农业机械化促进法》', consult_phone: '010-69042222', complaint_phone: '12345',
    window_address: '便民服务中心', delivery_methods: ['window'], materials: [{ name: '居民身份证' }],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const pub = await admin('POST', `/api/v1/items/${made.body.id}/publish`);
  assert.equal(pub.status, 200, JSON.stringify(pub.body));

  const page = await newPage(browser);
  await login(page, srv.base, 'xtgz_admin');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto(`${srv.base}/admin/catalog`);
  await page.locator('[data-test=item-table], [data-test=empty]').first().waitFor();
  // The list holds the own township's items only.
  assert.equal(await page.locator('[data-test=item-table]').getByText('农机购置补贴申请').count(), 0);
  // Not on the import (county administrators only).
  assert.equal(await page.locator('[data-test=import-file]').count(), 0);

  await page.goto(`${srv.base}/admin/catalog/${made.body.id}`);
  await field(page, '事项名称').locator('input').fill('农机购置补贴申请（改）');
  await page.locator('[data-test=save-item]').click();
  assert.match(await text(page.locator('[data-test=item-error]')), /该事项不在您的管理范围内/);
  assert.equal(await page.getByRole('button', { name: '发布', exact: true }).count(), 0);

  const versions = (await admin('GET', `/api/v1/items/${made.body.id}/versions`)).body.items;
  assert.equal(versions.length, 1);
  assert.equal(versions[0].name, '农机购置补贴申请');
  await page.context().close();
});

test('a clerk has no administration navigation and is refused the administration pages', async () => {
  const page = await newPage(browser);
  await login(page, srv.base, 'xtgz_clerk');
  await page.waitForURL(/\/desk$/);
  const staffNav = page.getByRole('navigation', { name: '我的工作' });
  await staffNav.getByRole('link', { name: '综合受理台' }).waitFor();
  assert.equal(await staffNav.getByRole('link', { name: '系统管理' }).count(), 0);
  await page.goto(`${srv.base}/admin/catalog`);
  assert.match(await text(page.locator('h1')), /无权访问/);
  assert.equal(await page.locator('[data-test=item-table]').count(), 0);
  await page.goto(`${srv.base}/admin/calendar`);
  assert.match(await text(page.locator('h1')), /无权访问/);
  await page.context().close();
});
