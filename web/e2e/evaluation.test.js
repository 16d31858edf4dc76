// Browser tests of township performance evaluation (绩效考核) against a real server on a fresh
// demo store: the evaluator's flow on a period that has ended (a manual score, a veto refused
// without its provincial approval, a run, each township's total and rank, the breakdown,
// closing, publication, follow-up, the workbook), the public results page on a phone with a
// comment, and a township administrator who sees only their own township.
// Run: `make e2e`, or alone: cd web && BIANMIN_BIN=$PWD/../build/bianmin node --test e2e/evaluation.test.js
// With SCREENSHOTS=../docs/screenshots it also writes the guide's screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { startServer, launch, newPage, login, apiLogin, PHONE } from './harness.js';

let srv;
let browser;
let ev; // the evaluator's API session
const pages = [];
const DESK = { viewport: { width: 1280, height: 900 } };
const SHOTS = process.env.SCREENSHOTS ? resolve(process.env.SCREENSHOTS) : '';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// Days in China Standard Time, YYYY-MM-DD.
const cstDay = (n = 0) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
const num = (v) => String(Math.round(v * 100) / 100);

// Shared between the tests, which run in order.
const state = { period: null, name: '', towns: [] };
const XT = '西田各庄镇';
const XW = '溪翁庄镇';

before(async () => {
  srv = await startServer();
  browser = await launch();
  ev = await apiLogin(srv.base, 'evaluator');
  // The period runs from 1 January to yesterday, so it has ended and can be closed. Its
  // year's systems are the demo's (this year), copied for last year on 1 January.
  const to = cstDay(-1);
  const year = Number(to.slice(0, 4));
  let plans = (await ev('GET', `/api/v1/evaluation/plans?year=${year}`)).body.items;
  if (!plans.length) {
    for (const p of (await ev('GET', '/api/v1/evaluation/plans')).body.items) {
      const full = (await ev('GET', `/api/v1/evaluation/plans/${p.id}`)).body;
      const r = await ev('POST', '/api/v1/evaluation/plans', {
        year, township_type: full.township_type, name: full.name.replace(/^\d{4}/, String(year)),
        grades: full.grades, survey_share: full.survey_share,
        indicators: full.indicators.map((x) => Object.fromEntries(Object.entries(x).filter(([k, v]) => !['source_name', 'department_name'].includes(k) && v !== null))),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    plans = (await ev('GET', `/api/v1/evaluation/plans?year=${year}`)).body.items;
  }
  state.year = year;
  state.to = to;
  state.plans = plans;
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function open(opts = DESK) {
  const p = await newPage(browser, opts);
  pages.push(p);
  return p;
}

async function shot(page, name, fullPage = false) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage });
}

// Picks an option of an Element Plus select named by its aria-label.
async function choose(page, label, option) {
  const select = page.locator('.el-select__wrapper', { has: page.getByRole('combobox', { name: label, exact: true }) });
  await select.click();
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: option }).first().click();
  // The click lands only once the list has opened: on a busy machine it can be lost, so
  // wait until the field shows the choice before going on.
  await select.filter({ hasText: option }).waitFor();
}

// The visible rows of an Element Plus table as arrays of cell texts.
async function rows(page, testId) {
  return page.locator(`[data-test=${testId}] .el-table__body tr`).evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
}

test('the evaluator sets up a period, scores, is refused a veto without approval, runs, closes and publishes', async () => {
  const page = await open();
  await login(page, srv.base, 'evaluator');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  const staffNav = page.getByRole('navigation', { name: '我的工作' });
  await staffNav.getByRole('link', { name: '绩效考核' }).click();
  await page.waitForURL(/\/evaluation$/);
  assert.match(await page.locator('h1').innerText(), /绩效考核/);
  // The demo's open period of the year is listed.
  await page.locator('[data-test=periods] .el-table__body tr').first().waitFor();
  const listed = await rows(page, 'periods');
  assert.ok(listed.some((r) => /年度乡镇绩效考核/.test(r[0]) && r[3] === '考核中'), JSON.stringify(listed));

  // The indicator systems: the tree and the general/agricultural variants side by side.
  await staffNav.getByRole('link', { name: '考核指标' }).click();
  await page.waitForURL(/\/evaluation\/plans/);
  await page.locator('[data-test=plan-tree] .el-table__body tr').first().waitFor();
  const treeText = await page.locator('[data-test=plan-tree]').innerText();
  assert.match(treeText, /按时办结率/);
  assert.match(treeText, /线性：90% 得 0 分，100% 得满分/);
  assert.match(treeText, /县直部门评分（北京市密云区政务服务管理局）/);
  const cmp = page.locator('[data-test=comparison]');
  await cmp.waitFor();
  assert.match(await cmp.innerText(), /通用/);
  assert.match(await cmp.innerText(), /农业型/);
  assert.ok(await cmp.locator('.differs').count() > 0, 'the variants differ on some indicators');
  await shot(page, 'evaluation-plans', true);
  // An edit that breaks the weights is refused with the API's Chinese errors and changes nothing.
  const planTitle = await page.locator('[data-test=plan-title]').innerText();
  const before = (await ev('GET', `/api/v1/evaluation/plans?year=${state.year}`)).body.items.find((p) => p.name === planTitle);
  await page.getByRole('button', { name: '修改' }).click();
  const firstWeight = (await ev('GET', `/api/v1/evaluation/plans/${before.id}`)).body.indicators[0].weight;
  await page.getByLabel('第1项 权重', { exact: true }).fill(String(firstWeight + 1));
  await page.locator('[data-test=save-plan]').click();
  const planError = page.locator('[data-test=plan-error]');
  await planError.waitFor();
  assert.match(await planError.innerText(), /一级指标权重之和应为 100/);
  await page.getByRole('button', { name: '取消' }).click();
  const afterEdit = (await ev('GET', `/api/v1/evaluation/plans/${before.id}`)).body;
  assert.equal(afterEdit.version, before.version);
  assert.equal(afterEdit.indicators[0].weight, firstWeight);

  // A new period: every township with the system it has this year, 1 January to yesterday.
  await staffNav.getByRole('link', { name: '绩效考核' }).click();
  await page.locator('[data-test=new-period]').click();
  state.name = `E2E ${state.year}年度乡镇绩效考核（截至${state.to}）`;
  await page.getByLabel('名称').fill(state.name);
  const toInput = page.locator('#period-to');
  await toInput.fill(state.to);
  await toInput.press('Enter');
  await page.getByRole('table', { name: '参加考核的乡镇' }).or(page.locator('.el-dialog .el-table')).first().waitFor();
  await page.locator('[data-test=create-period]').click();
  await page.waitForURL(/\/evaluation\/periods\/\d+/);
  state.period = Number(new URL(page.url()).pathname.split('/').pop());
  const per = (await ev('GET', `/api/v1/evaluation/periods/${state.period}`)).body;
  assert.equal(per.name, state.name);
  assert.equal(per.to, state.to);
  assert.equal(per.from, `${state.year}-01-01`);
  assert.ok(per.townships.length >= 10, 'every township of the county');
  state.towns = per.townships;
  const xt = per.townships.find((t) => t.township_name === XT);
  const xw = per.townships.find((t) => t.township_name === XW);
  const agri = state.plans.find((p) => p.township_type === 'agricultural');
  assert.equal(xw.plan_id, agri.id, 'an agricultural township keeps its agricultural system');
  assert.equal(await page.locator('[data-test=period-status]').innerText(), '考核中');

  // A county department's score of 西田各庄镇, entered on its behalf.
  await page.getByRole('tab', { name: '录入数据' }).click();
  await choose(page, '评分乡镇', XT);
  await page.locator('#score-value').fill('95.5');
  await page.locator('[data-test=save-score]').click();
  await page.locator('[data-test=score-ok]').waitFor();
  assert.match(await page.locator('[data-test=score-ok]').innerText(), /西田各庄镇的评分 95\.5 分/);
  const inputs = (await ev('GET', `/api/v1/evaluation/periods/${state.period}/inputs`)).body.items;
  const mine = inputs.find((i) => i.kind === 'manual' && i.subject_unit_id === xt.township_id);
  assert.equal(mine.value, 95.5);
  assert.equal(mine.rater_name, '北京市密云区政务服务管理局');
  await page.locator('[data-test=inputs]', { hasText: '95.5' }).waitFor();

  // A veto without its provincial approval is refused with the policy's words; nothing is saved.
  await page.getByRole('tab', { name: '一票否决' }).click();
  await choose(page, '否决乡镇', XW);
  await page.getByLabel('否决事项').fill('安全生产重大责任事故');
  await page.getByLabel('适用的事实').fill('考核期内发生较大安全生产责任事故');
  await page.locator('[data-test=save-veto]').click();
  const refusal = page.locator('[data-test=veto-error]');
  await refusal.waitFor();
  const said = await refusal.innerText();
  assert.match(said, /一票否决事项须经省委、省政府批准：没有批准记录（文号、批准机关、日期）的否决项不能适用/);
  assert.match(said, /批准文号：请填写省委、省政府批准该否决项的文号/);
  assert.match(said, /批准机关：请填写批准机关/);
  assert.equal((await ev('GET', `/api/v1/evaluation/periods/${state.period}`)).body.vetoes.length, 0);
  // With the approval on record it applies and caps the grade at 不合格.
  await page.getByLabel('批准文号').fill('省委发〔2026〕8号');
  await page.getByLabel('批准机关').fill('中共北京市委、北京市人民政府');
  await choose(page, '否决后最高可评的等次', '不合格');
  const date = page.locator('#veto-date');
  await date.fill(cstDay(-30));
  await date.press('Enter');
  await page.keyboard.press('Escape');
  await page.locator('[data-test=save-veto]').click();
  await page.locator('[data-test=vetoes] .el-table__body td', { hasText: '省委发〔2026〕8号' }).waitFor();
  const vetoes = (await ev('GET', `/api/v1/evaluation/periods/${state.period}`)).body.vetoes;
  assert.deepEqual(vetoes.map((v) => [v.township_id, v.approval_doc_no, v.approval_date, v.grade_cap]), [[xw.township_id, '省委发〔2026〕8号', cstDay(-30), 'fail']]);
  await shot(page, 'evaluation-veto', true);

  // The run: each township's total and rank as the API has them.
  await page.locator('[data-test=run]').click();
  await page.locator('[data-test=results] .el-table__body tr').first().waitFor();
  const api = (await ev('GET', `/api/v1/evaluation/periods/${state.period}/results`)).body.items;
  assert.equal(api.length, per.townships.length);
  const shown = await rows(page, 'results');
  assert.equal(shown.length, api.length);
  for (const r of api) {
    const row = shown.find((s) => s[1] === r.township_name);
    assert.ok(row, `a row for ${r.township_name}`);
    assert.equal(row[0], String(r.rank));
    assert.equal(row[2], num(r.total));
    assert.match(row[3], new RegExp(r.grade_name));
  }
  const xwResult = api.find((r) => r.township_id === xw.township_id);
  assert.equal(xwResult.grade, 'fail');
  // The veto caps the grade; the row says so when the grade would otherwise have been higher.
  const xwRow = shown.find((s) => s[1] === XW)[3];
  assert.match(xwRow, /不合格/);
  assert.equal(/受否决项限制/.test(xwRow), xwResult.capped_by_veto);
  state.xwCapped = xwResult.capped_by_veto;
  assert.equal(await page.locator('[data-test=rank-chart] canvas').count(), 1);
  await shot(page, 'evaluation-results', true);

  // 西田各庄镇 down to every leaf indicator with its source data.
  await page.locator('[data-test=results] a', { hasText: XT }).click();
  await page.waitForURL(new RegExp(`/townships/${xt.township_id}$`));
  const detail = (await ev('GET', `/api/v1/evaluation/periods/${state.period}/results/${xt.township_id}`)).body;
  await page.locator('[data-test=breakdown] .el-table__body tr').first().waitFor();
  assert.equal(await page.locator('[data-test=total]').innerText(), num(detail.total));
  assert.equal(await page.locator('[data-test=rank]').innerText(), `第 ${detail.rank} 名`);
  assert.equal(await page.locator('[data-test=grade]').innerText(), detail.grade_name);
  const bd = await rows(page, 'breakdown');
  for (const x of detail.indicators) {
    const row = bd.find((r) => r[0].includes(x.code));
    assert.ok(row, `a row for ${x.code}`);
    assert.equal(row[5], num(x.score), x.code);
  }
  // The department's score: linear 60 → 0, 100 → 25 points: (95.5 − 60) ÷ 40 × 25 = 22.19.
  const dept = bd.find((r) => r[0].includes('two.dept'));
  assert.match(dept[2], /县直部门评分/);
  assert.match(dept[3], /线性：60 分 得 0 分，100 分 得满分/);
  assert.equal(dept[4], '95.5 分');
  assert.equal(dept[5], '22.19');
  // A platform rate shows its numerator and denominator, or 无数据.
  const onTime = detail.indicators.find((x) => x.code === 'eff.on_time');
  const onTimeRow = bd.find((r) => r[0].includes('eff.on_time'));
  assert.equal(onTimeRow[4], onTime.missing ? '无数据' : `${num(onTime.value)}%（${onTime.numerator}/${onTime.denominator} 件）`);
  await page.locator('[data-test=radar] canvas').waitFor();
  await shot(page, 'evaluation-township', true);

  // Closing: a confirmation that says it cannot be undone; cancelling changes nothing.
  await page.goto(`${srv.base}/evaluation/periods/${state.period}`);
  await page.locator('[data-test=close]').click();
  const box = page.locator('.el-message-box');
  await box.waitFor();
  assert.match(await box.innerText(), /不可撤销/);
  await box.getByRole('button', { name: '取消' }).click();
  assert.equal((await ev('GET', `/api/v1/evaluation/periods/${state.period}`)).body.status, 'open');
  await page.locator('[data-test=close]').click();
  await page.locator('.el-message-box').getByRole('button', { name: '确定关账' }).click();
  await page.locator('[data-test=period-status]', { hasText: '已关账' }).waitFor();
  assert.equal((await ev('GET', `/api/v1/evaluation/periods/${state.period}`)).body.status, 'closed');

  // Publication for public comment, two weeks by default.
  await page.locator('[data-test=publish]').click();
  await page.locator('[data-test=confirm-publish]').click();
  await page.locator('[data-test=period-status]', { hasText: '已公示' }).waitFor();
  const pub = (await ev('GET', `/api/v1/evaluation/periods/${state.period}`)).body;
  assert.equal(pub.status, 'published');
  assert.equal(pub.comment_until, cstDay(14));
  assert.equal(await page.locator('[data-test=comment-until]').innerText(), cstDay(14));
  assert.equal(await page.locator('[data-test=run]').count(), 0, 'published results are final');

  // Follow-up of the township ranked last.
  const last = [...api].sort((a, b) => b.rank - a.rank)[0];
  await page.getByRole('tab', { name: '跟踪整改' }).click();
  await choose(page, '跟踪整改的乡镇', last.township_name);
  await page.getByLabel('要求').fill('主要负责人到县政府约谈，说明排名靠后的原因和改进措施');
  await page.locator('[data-test=save-followup]').click();
  await page.locator('[data-test=followups] .el-table__body td', { hasText: '说明排名靠后的原因' }).waitFor();
  const fus = (await ev('GET', `/api/v1/evaluation/periods/${state.period}/follow-ups`)).body.items;
  assert.deepEqual(fus.map((f) => [f.township_id, f.kind, f.due_date]), [[last.township_id, 'talk', cstDay(30)]]);

  // The workbook.
  const href = await page.locator('[data-test=export]').getAttribute('href');
  const got = await page.evaluate(async (u) => {
    const r = await fetch(u);
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('Content-Type'), zip: String.fromCharCode(b[0], b[1]) };
  }, href);
  assert.deepEqual(got, { status: 200, type: XLSX, zip: 'PK' });
});

test('the public reads the published ranking on a phone and comments, without ECharts', async () => {
  assert.ok(state.period, 'the evaluator test published a period');
  const page = await open(PHONE);
  const scripts = [];
  page.on('response', (r) => r.url().endsWith('.js') && scripts.push(r.url()));
  await page.goto(`${srv.base}/`);
  await page.getByRole('navigation', { name: '公众服务' }).getByRole('link', { name: '考核公示' }).click();
  await page.waitForURL(new RegExp(`/assessment/${state.period}$`));
  await page.locator('[data-test=ranking] li').first().waitFor();
  const pub = (await (await fetch(`${srv.base}/api/v1/public/evaluation/periods/${state.period}/results`)).json()).items;
  const shown = await page.locator('[data-test=ranking] li').evaluateAll((lis) =>
    lis.map((li) => [li.querySelector('.rank').innerText.trim(), li.querySelector('.name').innerText.trim(), li.querySelector('.total').innerText.trim()]));
  const want = [...pub].sort((a, b) => a.rank - b.rank).map((r) => [String(r.rank), r.township_name, `${num(r.total)} 分`]);
  assert.deepEqual(shown, want);
  assert.match(await page.locator('[data-test=assess-meta]').innerText(), new RegExp(`公示期至 ${cstDay(14)}`));
  if (state.xwCapped) assert.match(await page.locator('[data-test=ranking]').innerText(), /受一票否决项限制：安全生产重大责任事故（省委发〔2026〕8号）/);
  // The page fits the phone: nothing wider than the viewport.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scrolling');
  // One township's indicators.
  await page.getByRole('button', { name: `查看${XT}各项指标` }).click();
  const xtItem = page.locator('[data-test=ranking] li', { has: page.locator('.name', { hasText: XT }) });
  await xtItem.locator('table.detail', { hasText: '县直部门评价' }).waitFor({ state: 'visible' });
  assert.match(await xtItem.locator('table.detail').innerText(), /县直部门评价\s+95\.5 分\s+22\.19\/25/);
  await shot(page, 'phone-assessment');

  // A comment on 西田各庄镇, signed; the name is masked.
  await choose(page, '针对的乡镇', XT);
  await page.getByLabel('意见内容').fill('西田各庄镇便民服务中心周末也能办事，点赞');
  await page.getByLabel(/姓名/).fill('王小明');
  await page.locator('[data-test=send-comment]').click();
  await page.locator('[data-test=comment-ok]').waitFor();
  assert.match(await page.locator('[data-test=comment-ok]').innerText(), /已收到您的意见（署名：王\*明）/);
  const cs = (await ev('GET', `/api/v1/evaluation/periods/${state.period}/comments`)).body.items;
  const xt = state.towns.find((t) => t.township_name === XT);
  assert.deepEqual(cs.map((c) => [c.township_id, c.content, c.author]), [[xt.township_id, '西田各庄镇便民服务中心周末也能办事，点赞', '王*明']]);
  // An empty comment is refused with the API's words and adds nothing.
  await page.locator('[data-test=send-comment]').click();
  await page.locator('.cerr').waitFor();
  assert.match(await page.locator('.cerr').innerText(), /请填写意见内容/);
  assert.equal((await ev('GET', `/api/v1/evaluation/periods/${state.period}/comments`)).body.items.length, 1);
  await shot(page, 'phone-assessment-comment');

  assert.deepEqual(scripts.filter((u) => /echarts/.test(u)), [], 'the public page loads no chart library');
});

test('a township administrator sees only their own township', async () => {
  const page = await open();
  await login(page, srv.base, 'xtgz_admin');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  const staffNav = page.getByRole('navigation', { name: '我的工作' });
  await staffNav.getByRole('link', { name: '本乡镇考核' }).click();
  await page.waitForURL(/\/evaluation$/);
  assert.equal(await page.locator('[data-test=new-period]').count(), 0);
  await page.locator('[data-test=periods] a', { hasText: state.name }).click();
  await page.locator('[data-test=results] .el-table__body tr').first().waitFor();
  const shown = await rows(page, 'results');
  assert.deepEqual(shown.map((r) => r[1]), [XT]);
  assert.equal(await page.locator('[data-test=run]').count(), 0);
  assert.equal(await page.locator('[data-test=close]').count(), 0);
  assert.equal(await page.locator('[data-test=export]').count(), 0);
  assert.equal(await page.getByRole('tab', { name: '一票否决' }).count(), 0);
  // Their breakdown, and the follow-ups of their township only (none here).
  await page.locator('[data-test=results] a', { hasText: XT }).click();
  await page.locator('[data-test=breakdown] .el-table__body tr').first().waitFor();
  assert.match(await page.locator('[data-test=township-title]').innerText(), /西田各庄镇/);
  // Another township's breakdown is not theirs to see.
  const xw = state.towns.find((t) => t.township_name === XW);
  await page.goto(`${srv.base}/evaluation/periods/${state.period}/townships/${xw.township_id}`);
  await page.locator('.load-error').waitFor();
  assert.match(await page.locator('.load-error').innerText(), /没有该乡镇的考核结果/);
});

test('a window clerk has no evaluation link and is refused the pages', async () => {
  const page = await open();
  await login(page, srv.base, 'xtgz_clerk');
  await page.waitForURL(/\/desk$/);
  const staffNav = page.getByRole('navigation', { name: '我的工作' });
  await staffNav.getByRole('link', { name: '综合受理台' }).waitFor();
  assert.equal(await staffNav.getByRole('link', { name: /考核/ }).count(), 0);
  await page.goto(`${srv.base}/evaluation/periods/${state.period}`);
  assert.match(await page.locator('h1').innerText(), /无权访问/);
});

test('no page broke the content security policy or threw', () => {
  const problems = pages.flatMap((p) => p.problems);
  assert.deepEqual(problems, []);
});
