// The signed-in person: an ops bearer token kept for this browser tab only (sessionStorage), so closing the
// tab signs out, with who the API said it belongs to (GET /me) for display. The API verifies the token on
// every call.

const KEY = 'mor-ops-token';
const USER_KEY = 'mor-ops-user';

/**
 * Reads a JWT's claims without verifying it. Returns null for anything that is not a three-part token with
 * a JSON payload.
 */
export function readClaims(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1]
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(parts[1].length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** A token pasted with or without "Bearer ", quotes or surrounding whitespace. */
export function cleanToken(input) {
  return String(input)
    .trim()
    .replace(/^bearer\s+/i, '')
    .replace(/^["']|["']$/g, '')
    .trim();
}

export function currentToken() {
  return sessionStorage.getItem(KEY);
}

/** Who the API said the token belongs to at sign-in; failing that, the token's own (unverified) claims. */
export function currentUser() {
  const token = currentToken();
  if (!token) return null;
  try {
    const user = JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null');
    if (user && typeof user.userId === 'string' && typeof user.role === 'string')
      return { userId: user.userId, role: user.role };
  } catch {
    // Not ours (or edited by hand): fall back to the claims.
  }
  const claims = readClaims(token);
  if (!claims) return null;
  return { userId: String(claims.sub ?? 'unknown'), role: String(claims.role ?? 'shopper') };
}

/** Keeps the token and who GET /me said it belongs to. */
export function signIn(token, user) {
  sessionStorage.setItem(KEY, token);
  sessionStorage.setItem(USER_KEY, JSON.stringify({ userId: user.userId, role: user.role }));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(USER_KEY);
}
