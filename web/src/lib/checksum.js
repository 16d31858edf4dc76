// Check characters of Chinese identifiers, the same rules as src/core/checksum.c:
// the resident identity number (GB 11643-1999, ISO 7064 MOD 11-2) and the unified
// social credit code (GB 32100-2015, MOD 31). Used for live validation while typing.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

function validDate(y, m, d, today) {
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return false;
  return dt.getTime() <= today.getTime();
}

// '' when valid, else the reason in Chinese.
export function residentIdProblem(raw, today = new Date()) {
  const s = String(raw || '').trim().toUpperCase();
  if (s === '') return '请输入身份证号码';
  if (!/^\d{17}[\dX]$/.test(s)) return '身份证号码应为18位（最后一位可为X）';
  const y = +s.slice(6, 10), m = +s.slice(10, 12), d = +s.slice(12, 14);
  if (!validDate(y, m, d, today)) return '身份证号码中的出生日期无效';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  if (ID_CHECK[sum % 11] !== s[17]) return '身份证号码校验位不符，请核对';
  return '';
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccProblem(raw) {
  const s = String(raw || '').trim().toUpperCase();
  if (s === '') return '请输入统一社会信用代码';
  if (s.length !== 18) return '统一社会信用代码应为18位';
  let sum = 0;
  for (let i = 0; i < 18; i++) {
    const v = USCC_CHARS.indexOf(s[i]);
    if (v < 0) return `第${i + 1}位字符“${s[i]}”不是统一社会信用代码可用的字符`;
    if (i < 17) sum += v * USCC_WEIGHTS[i];
  }
  const check = (31 - (sum % 31)) % 31;
  if (USCC_CHARS[check] !== s[17]) return '统一社会信用代码校验位不符，请核对';
  return '';
}

export function phoneProblem(raw) {
  const s = String(raw || '').trim();
  if (s === '') return '请输入联系电话';
  if (/^1[3-9]\d{9}$/.test(s) || /^0\d{2,3}-?\d{7,8}$/.test(s)) return '';
  return '联系电话应为11位手机号或带区号的固定电话';
}
