import { HttpTransportError, type HttpReply, type HttpTransport } from '../http-transport';
import { PermanentPlacementError, TransientPlacementError } from '../placement-adapter';

export interface VendureEndpoints {
  shopApiUrl: string;
  adminApiUrl: string;
  adminUsername: string;
  adminPassword: string;
  channelToken?: string;
  timeoutMs: number;
}

export interface ShopReply<T> {
  data: T;
  /** The session's bearer token when Vendure started (or renewed) one: header `vendure-auth-token`. */
  token?: string;
}

export interface VendureApi {
  /** A Shop API call in the guest session of `token` (a new session when absent). */
  shop<T>(step: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<ShopReply<T>>;
  /** An Admin API call as the configured administrator, signed in on first use and again when the session lapsed. */
  admin<T>(step: string, query: string, variables?: Record<string, unknown>): Promise<T>;
}

interface GraphqlError {
  message?: string;
  extensions?: { code?: string };
}

/** A GraphQL-level refusal: FORBIDDEN is told apart so the admin session can be renewed once. */
class VendureAuthError extends PermanentPlacementError {
  constructor(step: string, message: string) {
    super('config_invalid', `vendure ${step}: ${message}`, { step });
  }
}

const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 502, 503, 504]);

/**
 * Vendure's GraphQL APIs over the project's HTTP transport, with the error taxonomy of placement: no answer, 5xx,
 * 429 and Vendure's INTERNAL_SERVER_ERROR are transient; a refused sign-in, a URL that is not a Vendure API, or a
 * query this Vendure does not understand (an older version, a missing custom field) is the store's config.
 * Business refusals come back as typed ErrorResults inside `data`, which the connector maps itself.
 *
 * One admin session is kept per (admin API, user) for the life of the connector: signing in costs a bcrypt check.
 */
export function createVendureApiFactory(transport: HttpTransport) {
  const adminTokens = new Map<string, Promise<string>>();

  return (endpoints: VendureEndpoints, signal?: AbortSignal): VendureApi => {
    const exchange = async <T>(
      api: 'shop' | 'admin',
      step: string,
      query: string,
      variables: Record<string, unknown>,
      token?: string,
    ): Promise<ShopReply<T>> => {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (endpoints.channelToken) headers['vendure-token'] = endpoints.channelToken;
      let reply: HttpReply;
      try {
        reply = await transport({
          method: 'POST',
          url: api === 'shop' ? endpoints.shopApiUrl : endpoints.adminApiUrl,
          headers,
          body: JSON.stringify({ query, variables }),
          timeoutMs: endpoints.timeoutMs,
          signal,
        });
      } catch (error) {
        const what =
          error instanceof HttpTransportError && error.reason === 'connection'
            ? `connection failed (${error.code ?? error.message})`
            : (error as Error).message;
        throw new TransientPlacementError(`vendure ${step}: ${what}`, undefined, error);
      }
      const body = parseJson(reply.text) as { data?: T; errors?: GraphqlError[] } | undefined;
      if (reply.status >= 500 || TRANSIENT_STATUSES.has(reply.status)) {
        throw new TransientPlacementError(`vendure ${step}: ${api} API answered ${reply.status}`);
      }
      const firstError = body?.errors?.[0];
      if (firstError) throw graphqlError(step, api, firstError);
      if (reply.status < 200 || reply.status >= 300) {
        throw new PermanentPlacementError(
          'config_invalid',
          `vendure ${step}: ${api} API answered ${reply.status}; check the store's ${api}ApiUrl`,
          { step, httpStatus: reply.status },
        );
      }
      if (!body || body.data === undefined || body.data === null) {
        // A 2xx that is not GraphQL: the outcome of a mutation is unknown, so the retry's lookup decides.
        throw new TransientPlacementError(`vendure ${step}: the ${api} API answered something that is not GraphQL`);
      }
      return { data: body.data, token: reply.header('vendure-auth-token') };
    };

    const adminKey = `${endpoints.adminApiUrl}\n${endpoints.adminUsername}\n${endpoints.adminPassword}`;
    const signIn = async (): Promise<string> => {
      const reply = await exchange<{ login: { __typename: string; message?: string } }>(
        'admin',
        'admin_login',
        'mutation SignIn($username: String!, $password: String!) { login(username: $username, password: $password) { __typename ... on ErrorResult { message } } }',
        { username: endpoints.adminUsername, password: endpoints.adminPassword },
      );
      if (reply.data.login.__typename !== 'CurrentUser') {
        throw new PermanentPlacementError(
          'config_invalid',
          `vendure admin sign-in refused: ${reply.data.login.message ?? reply.data.login.__typename}; check adminUsername and adminPassword`,
        );
      }
      if (!reply.token) {
        throw new PermanentPlacementError(
          'config_invalid',
          "vendure handed out no bearer token: the shop's authOptions.tokenMethod must include 'bearer'",
        );
      }
      return reply.token;
    };
    const adminToken = (): Promise<string> => {
      let token = adminTokens.get(adminKey);
      if (!token) {
        token = signIn();
        adminTokens.set(adminKey, token);
        token.catch(() => adminTokens.delete(adminKey));
      }
      return token;
    };

    return {
      shop: (step, query, variables = {}, token) => exchange('shop', step, query, variables, token),
      async admin<T>(step: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
        const token = await adminToken();
        try {
          return (await exchange<T>('admin', step, query, variables, token)).data;
        } catch (error) {
          if (!(error instanceof VendureAuthError)) throw error;
          // The session lapsed or was revoked: sign in once more; a second refusal is the config's.
          adminTokens.delete(adminKey);
          return (await exchange<T>('admin', step, query, variables, await adminToken())).data;
        }
      },
    };
  };
}

function graphqlError(step: string, api: 'shop' | 'admin', error: GraphqlError): Error {
  const code = error.extensions?.code ?? 'UNKNOWN';
  const message = error.message ?? code;
  if (code === 'FORBIDDEN' || code === 'UNAUTHORIZED') {
    return new VendureAuthError(
      step,
      api === 'admin' ? `the administrator may not do this (${message}); check its role` : message,
    );
  }
  if (code === 'INTERNAL_SERVER_ERROR') return new TransientPlacementError(`vendure ${step}: ${message}`);
  // GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT …: this Vendure does not know what we asked (a version or a custom field).
  return new PermanentPlacementError('config_invalid', `vendure ${step}: ${message} (${code})`, {
    step,
    graphqlCode: code,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
