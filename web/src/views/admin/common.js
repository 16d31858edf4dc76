// Helpers shared by the administration screens: confirmations, the organisation's units
// and the caller's scope (a county administrator: the county; a township administrator:
// their township's subtree, as the API scopes it).
import { ElMessageBox } from 'element-plus';
import { api } from '../../lib/api.js';
import { session, hasRole } from '../../lib/session.js';

// Asks before an irreversible action; resolves true when confirmed.
export async function confirmAction(message, title, confirmText = '确定') {
  try {
    await ElMessageBox.confirm(message, title, {
      confirmButtonText: confirmText,
      cancelButtonText: '取消',
      type: 'warning',
      customClass: 'pre-box',
    });
    return true;
  } catch {
    return false;
  }
}

// Asks for a line of text (a reason, a password); resolves null when cancelled.
export async function promptText(message, title, opts = {}) {
  try {
    const { value } = await ElMessageBox.prompt(message, title, {
      confirmButtonText: opts.confirmText || '确定',
      cancelButtonText: '取消',
      inputType: opts.type || 'text',
      inputPattern: opts.pattern,
      inputErrorMessage: opts.patternMessage,
      inputPlaceholder: opts.placeholder,
    });
    return value;
  } catch {
    return null;
  }
}

export const isCounty = () => hasRole('county_admin');

let unitsPromise = null;
// Every unit of the organisation, flat ({id, parent_id, kind, name, is_active, …}).
export function loadUnits(force = false) {
  if (force || !unitsPromise) {
    unitsPromise = api('/api/v1/org-units?flat=true').then(
      (r) => r.items,
      (e) => {
        unitsPromise = null;
        throw e;
      },
    );
  }
  return unitsPromise;
}

// The units the caller administers: all for a county administrator, else the subtree of
// the township that holds the caller's own unit.
export function scopedUnits(units) {
  if (isCounty() || !session.user) return units;
  const byId = new Map(units.map((u) => [u.id, u]));
  let top = byId.get(session.user.org_unit_id);
  while (top && top.kind !== 'township' && top.parent_id) top = byId.get(top.parent_id);
  if (!top) return [];
  const inside = new Set([top.id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) {
      if (!inside.has(u.id) && inside.has(u.parent_id)) {
        inside.add(u.id);
        grew = true;
      }
    }
  }
  return units.filter((u) => inside.has(u.id));
}

// Element Plus tag types for item statuses.
export const STATUS_TAG = { draft: 'warning', published: 'success', superseded: 'info', retired: 'danger' };
