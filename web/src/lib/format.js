// Display helpers (China Standard Time, Chinese wording).

export function dateTime(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  const cst = new Date(d.getTime() + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${cst.getUTCFullYear()}-${p(cst.getUTCMonth() + 1)}-${p(cst.getUTCDate())} ${p(cst.getUTCHours())}:${p(cst.getUTCMinutes())}`;
}

export const LIGHTS = {
  green: { text: '正常', tag: 'success' },
  yellow: { text: '临近期限', tag: 'warning' },
  red: { text: '已超期', tag: 'danger' },
};

// Working days left; a red light with 0 days left is a deadline that passed on a day
// off (a weekend or holiday): overdue, not "due today".
export function daysLeftText(n, light) {
  if (n === null || n === undefined) return '—';
  if (n < 0) return `超期 ${-n} 个工作日`;
  if (n === 0) return light === 'red' ? '已超期' : '今日到期';
  return `剩余 ${n} 个工作日`;
}

export function yesNo(b) {
  return b ? '是' : '否';
}
