// Shared helpers of the township performance evaluation pages (绩效考核): numbers, the
// wording of sources and scoring rules, indicator trees, and field errors in Chinese.
import { enumName } from './session.js';

// The platform rates: their values are percentages with a numerator and a denominator.
const RATES = ['on_time_rate', 'satisfaction_rate', 'rectification_rate', 'online_rate', 'demand_response_rate', 'household_coverage'];
const UNITS = {
  on_time_rate: '件',
  satisfaction_rate: '条',
  rectification_rate: '项',
  online_rate: '件',
  demand_response_rate: '件',
  household_coverage: '户',
  public_satisfaction: '条',
};

// A score or weight: at most two decimals, no trailing zeros.
export function num(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return String(Math.round(v * 100) / 100);
}

export function isRate(source) {
  return RATES.includes(source);
}

export function sourceName(source) {
  return source ? enumName('evaluation_sources', source) : '—';
}

// A value in the unit of its source: 96.5% for rates, 88 分 for scores.
function valueIn(source, v) {
  return isRate(source) || source === 'public_satisfaction' ? `${num(v)}%` : `${num(v)} 分`;
}

// A scoring rule in words, e.g. 线性：90% 得 0 分，100% 得满分.
export function ruleText(x) {
  if (!x || !x.rule) return '—';
  if (x.rule === 'linear') return `线性：${valueIn(x.source, x.floor)} 得 0 分，${valueIn(x.source, x.target)} 得满分`;
  if (x.rule === 'threshold') {
    const steps = (x.steps || []).map((s) => `≥${valueIn(x.source, s.min)} 得${s.fraction >= 1 ? '满分' : `${num(s.fraction * 100)}%`}`);
    return `分档：${steps.join('；')}`;
  }
  if (x.rule === 'rank') return '排名：同一指标体系内第一名得满分，最后一名得 0 分';
  return enumName('evaluation_rules', x.rule);
}

// The source data of a leaf of a result: "96.5%（193/200 件）" or "无数据".
export function valueText(x) {
  if (x.missing) return '无数据';
  if (x.value === null || x.value === undefined) return '—';
  let s = valueIn(x.source, x.value);
  if (x.denominator) s += `（${x.numerator}/${x.denominator} ${UNITS[x.source] || ''}）`;
  return s;
}

// A flat list of indicators (code, parent_code) as a tree for el-table (rows with children).
export function tree(list) {
  const byCode = new Map();
  const roots = [];
  for (const x of list || []) byCode.set(x.code, { ...x, children: [] });
  for (const x of byCode.values()) {
    const parent = x.parent_code ? byCode.get(x.parent_code) : null;
    (parent ? parent.children : roots).push(x);
  }
  for (const x of byCode.values()) if (!x.children.length) delete x.children;
  return roots;
}

export function isLeaf(list, code) {
  return !(list || []).some((x) => x.parent_code === code);
}

const FIELDS = {
  code: '编码',
  parent_code: '上级指标',
  name: '名称',
  weight: '权重',
  source: '数据来源',
  rule: '计分规则',
  floor: '起评值',
  target: '目标值',
  steps: '分档',
  department_id: '评分部门',
  township_id: '乡镇',
  indicator_code: '指标',
  value: '分值',
  note: '说明',
  item: '否决事项',
  reason: '适用的事实',
  approval_doc_no: '批准文号',
  approving_body: '批准机关',
  approval_date: '批准日期',
  grade_cap: '最高等次',
  year: '年度',
  township_type: '乡镇类型',
  grades: '等次分数线',
  'grades.excellent': '优秀分数线',
  'grades.good': '良好分数线',
  'grades.pass': '合格分数线',
  survey_share: '第三方占比',
  indicators: '指标',
  from: '开始日期',
  to: '结束日期',
  townships: '参加考核的乡镇',
  comment_until: '公示截止日期',
  due_date: '完成期限',
  kind: '跟踪方式',
  content: '意见内容',
  provider: '评估机构',
  items: '明细',
  comment: '评价意见',
  result: '结果',
};

// A field of a problem's errors[] in words: indicators[3].weight → 第 4 项指标的“权重”.
export function fieldLabel(field) {
  const m = /^(indicators|items|townships)\[(\d+)\](?:\.(.+))?$/.exec(field || '');
  if (m) {
    const what = { indicators: '指标', items: '明细', townships: '乡镇' }[m[1]];
    const head = `第 ${Number(m[2]) + 1} 项${what}`;
    return m[3] ? `${head}的“${FIELDS[m[3]] || m[3]}”` : head;
  }
  return FIELDS[field] || field || '';
}

// A problem's field errors as lines for a list under a form.
export function fieldErrors(e) {
  return ((e && e.errors) || []).map((x) => `${fieldLabel(x.field)}：${x.message}`);
}

export const GRADE_TAG = { excellent: 'success', good: 'primary', pass: 'warning', fail: 'danger' };
export const STATUS_TAG = { open: 'primary', closed: 'warning', published: 'success' };

// Today in China (YYYY-MM-DD), plus n days.
export function cstDay(n = 0) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + n * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}
