// Thin fetch wrapper for the Bianmin API: JSON in and out, the session's CSRF token on
// writes, If-Match for versioned records, and problem+json errors turned into ApiError
// whose message is the server's Chinese `detail` (or `title`).

const FALLBACK = {
  0: '网络连接失败，请检查网络后重试',
  400: '请求内容不符合要求',
  401: '请先登录',
  403: '您无权执行此操作',
  404: '未找到相关内容',
  409: '当前状态下不能执行此操作',
  412: '内容已被他人修改，请刷新后重试',
  413: '提交的内容过大',
  415: '不支持的内容类型',
  429: '操作过于频繁，请稍后再试',
  500: '服务器暂时无法处理，请稍后再试',
};

export class ApiError extends Error {
  constructor(status, problem) {
    const p = problem || {};
    super(p.detail || p.title || FALLBACK[status] || FALLBACK[500]);
    this.name = 'ApiError';
    this.status = status;
    this.code = p.code || '';
    this.title = p.title || '';
    this.errors = Array.isArray(p.errors) ? p.errors : [];
  }
}

// The message to show a person: the detail, then each field error that says more.
export function errorText(e) {
  if (!(e instanceof ApiError)) return (e && e.message) || FALLBACK[500];
  const extra = e.errors.map((x) => x.message).filter((m) => m && m !== e.message);
  return extra.length ? `${e.message}：${extra.join('；')}` : e.message;
}

let csrfToken = '';
let unauthorized = null;

export function setCsrf(token) {
  csrfToken = token || '';
}

// Called with the failed path when a request answers 401 (session expired or ended).
export function onUnauthorized(fn) {
  unauthorized = fn;
}

export async function api(path, opts = {}) {
  const method = opts.method || 'GET';
  const headers = { Accept: 'application/json, application/problem+json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (opts.file !== undefined) {
    // An upload: the file itself is the body, with its own type (no multipart).
    headers['Content-Type'] = opts.file.type || 'application/octet-stream';
    init.body = opts.file;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    init.body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.version !== undefined && opts.version !== null) headers['If-Match'] = `"${opts.version}"`;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;

  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, null);
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && !opts.allow401 && unauthorized) unauthorized(path);
    throw err;
  }
  return data;
}

// Query string from an object, leaving out empty values.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}
