// The signed-in person: an ops bearer token kept for this browser tab only (sessionStorage), so closing the
// tab signs out. The claims are read for display; the API verifies the token on every call.

const KEY = 'mor-ops-token';

/**
 * Reads a JWT's claims without verifying it. Returns null for anything that is not a three-part token with
 * a JSON payload.
 */
export function readClaims(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** A token pasted with or without "Bearer ", quotes or surrounding whitespace. */
export function cleanToken(input) {
  return String(input).trim().replace(/^bearer\s+/i, '').replace(/^["']|["']$/g, '').trim();
}

export function currentToken() {
  return sessionStorage.getItem(KEY);
}

export function currentUser() {
  const token = currentToken();
  const claims = token ? readClaims(token) : null;
  if (!claims) return null;
  return { userId: String(claims.sub ?? 'unknown'), role: String(claims.role ?? 'shopper'), expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null };
}

export function signIn(token) {
  sessionStorage.setItem(KEY, token);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}
