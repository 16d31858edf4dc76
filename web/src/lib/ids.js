// A random key for Idempotency-Key (crypto.getRandomValues works outside secure contexts too).
export function randomKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function docUrl(caseNo, kind) {
  return `/api/v1/cases/${encodeURIComponent(caseNo)}/documents/${kind}`;
}
