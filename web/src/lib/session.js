// The logged-in user, the session's CSRF token and the API's enumerations.
import { reactive } from 'vue';
import { api, setCsrf } from './api.js';

export const session = reactive({
  user: null, // {id, username, display_name, roles, org_unit_id, org_unit_name}
  checked: false, // GET /me has answered once
  expired: false, // the last session ended by a 401
  enums: null,
});

function take(info) {
  session.user = info ? info.user : null;
  setCsrf(info ? info.csrf_token : '');
}

export async function loadMe() {
  try {
    take(await api('/api/v1/me', { allow401: true }));
  } catch {
    take(null);
  }
  session.checked = true;
  return session.user;
}

export async function login(username, password) {
  const info = await api('/api/v1/session', {
    method: 'POST',
    body: { username, password },
    allow401: true,
  });
  take(info);
  session.expired = false;
  return session.user;
}

export async function logout() {
  try {
    await api('/api/v1/session', { method: 'DELETE', allow401: true });
  } finally {
    take(null);
  }
}

export function dropSession() {
  take(null);
}

export function hasRole(...roles) {
  const mine = (session.user && session.user.roles) || [];
  return roles.some((r) => mine.includes(r));
}

let enumsPromise = null;
export function loadEnums() {
  if (!enumsPromise) {
    enumsPromise = api('/api/v1/enums').then(
      (e) => (session.enums = e),
      (err) => {
        enumsPromise = null;
        throw err;
      },
    );
  }
  return enumsPromise;
}

// The Chinese name of an enumeration code (`kind` is a key of GET /api/v1/enums).
export function enumName(kind, code) {
  const list = session.enums && session.enums[kind];
  const hit = list && list.find((e) => e.code === code);
  return hit ? hit.name : code;
}
