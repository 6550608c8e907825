import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Clock } from '../../domain/clock';
import * as pages from './pages';
import { SPA_HISTORY_SCRIPT, spaOverlays } from './spa-mode';
import type { DemoAddress, ShopperSession, StoreState } from './store-state';

const SESSION_COOKIE = 'do_session';

export interface ShopRouteOptions {
  state: StoreState;
  storeName: string;
  credentials: { username: string; password: string };
  ordersPerPage: number;
  clock: Clock;
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

const sessionOf = (res: Response): ShopperSession => res.locals.session as ShopperSession;
const field = (req: Request, name: string): string =>
  typeof req.body?.[name] === 'string' ? req.body[name].trim() : '';
/** Only same-site paths, so `?next=` cannot send a shopper elsewhere. */
const safeNext = (next: unknown): string =>
  typeof next === 'string' && /^\/(?!\/)/.test(next) ? next : '/account/orders';

function validateCheckout(req: Request): {
  address: DemoAddress;
  reference: string;
  cardLast4: string;
  errors: Record<string, string>;
} {
  const address: DemoAddress = {
    name: field(req, 'name'),
    address1: field(req, 'address1'),
    address2: field(req, 'address2') || undefined,
    city: field(req, 'city'),
    state: field(req, 'state').toUpperCase(),
    zip: field(req, 'zip'),
    phone: field(req, 'phone'),
  };
  const cardNumber = field(req, 'card-number').replace(/[\s-]/g, '');
  const errors: Record<string, string> = {};
  for (const key of ['name', 'address1', 'city'] as const) if (!address[key]) errors[key] = 'Required.';
  if (!/^[A-Z]{2}$/.test(address.state)) errors.state = 'Use the two-letter state code.';
  if (!/^\d{5}(-\d{4})?$/.test(address.zip)) errors.zip = 'Enter a 5-digit ZIP code.';
  if (address.phone.replace(/\D/g, '').length < 10) errors.phone = 'Enter a phone number.';
  if (!/^\d{12,19}$/.test(cardNumber)) errors['card-number'] = 'Enter a card number.';
  if (!/^(0[1-9]|1[0-2])\/\d{2}$/.test(field(req, 'card-expiry'))) errors['card-expiry'] = 'Use MM/YY.';
  if (!/^\d{3,4}$/.test(field(req, 'card-cvc'))) errors['card-cvc'] = 'Enter the 3- or 4-digit code.';
  if (/\bp\.?\s*o\.?\s*box\b/i.test(`${address.address1} ${address.address2 ?? ''}`))
    errors.address = 'We cannot ship to PO boxes.';
  return { address, reference: field(req, 'order-reference'), cardLast4: cardNumber.slice(-4), errors };
}

/** The shopper-facing pages: sign-in, product, cart, checkout, review, place, confirmation, order history. */
export function createShopRoutes({ state, storeName, credentials, ordersPerPage, clock }: ShopRouteOptions): Router {
  const router = Router();
  const send = (res: Response, status: number, title: string, body: string) => {
    const spa = state.switches.spa;
    const html = pages.layout(storeName, title, body, sessionOf(res).username);
    res
      .status(status)
      .type('html')
      .send(
        spa
          ? html.replace('</body>', `${spaOverlays(spa)}${title === 'Your orders' ? SPA_HISTORY_SCRIPT : ''}</body>`)
          : html,
      );
  };
  const requireSignIn = (req: Request, res: Response, next: NextFunction) =>
    sessionOf(res).username ? next() : res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);

  router.use((req, res, next) => {
    const session = state.session(readCookie(req, SESSION_COOKIE));
    res.locals.session = session;
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax`);
    next();
  });

  router.get('/', (_req, res) => send(res, 200, 'Shop', pages.homePage(state.products())));

  router.get('/login', (req, res) => send(res, 200, 'Sign in', pages.loginPage(safeNext(req.query.next))));
  router.post('/login', (req, res) => {
    if (field(req, 'username') !== credentials.username || req.body?.password !== credentials.password) {
      return send(res, 401, 'Sign in', pages.loginPage(safeNext(req.body?.next), 'Wrong username or password.'));
    }
    sessionOf(res).username = credentials.username;
    res.redirect(303, safeNext(req.body?.next));
  });

  router.get('/products/:sku', (req, res) => {
    const product = state.product(String(req.params.sku));
    if (!product) return send(res, 404, 'Not found', pages.messagePage('Not found', 'No such product.', 'not-found'));
    send(res, 200, product.name, pages.productPage(product, state.unitsAvailable(product.sku)));
  });

  router.post('/cart/items', requireSignIn, (req, res) => {
    const sku = field(req, 'sku');
    const line = {
      sku,
      size: field(req, 'size') || undefined,
      color: field(req, 'color') || undefined,
      quantity: Number(field(req, 'quantity')),
    };
    const problem = state.addToCart(sessionOf(res), line);
    const product = state.product(sku);
    if (!problem) return res.redirect(303, '/cart');
    if (!product) return send(res, 404, 'Not found', pages.messagePage('Not found', problem, 'not-found'));
    send(res, 422, product.name, pages.productPage(product, state.unitsAvailable(sku), problem));
  });

  router.get('/cart', requireSignIn, (_req, res) => {
    const lines = state.priceLines(sessionOf(res).cart);
    send(res, 200, 'Cart', pages.cartPage(lines, state.totalsOf(lines)));
  });

  router.get('/checkout', requireSignIn, (_req, res) => {
    if (sessionOf(res).cart.length === 0) return res.redirect(303, '/cart');
    send(res, 200, 'Checkout', pages.checkoutPage({}, {}));
  });
  router.post('/checkout', requireSignIn, (req, res) => {
    const { address, reference, cardLast4, errors } = validateCheckout(req);
    if (Object.keys(errors).length > 0) {
      return send(res, 422, 'Checkout', pages.checkoutPage({ ...address, reference }, errors));
    }
    sessionOf(res).checkout = { address, reference, cardLast4 };
    res.redirect(303, '/checkout/review');
  });

  router.get('/checkout/review', requireSignIn, (_req, res) => {
    const session = sessionOf(res);
    if (!session.checkout || session.cart.length === 0) return res.redirect(303, '/checkout');
    const lines = state.priceLines(session.cart);
    const gone = session.cart
      .filter((line) => line.quantity > state.unitsAvailable(line.sku))
      .map((line) => state.product(line.sku)?.name ?? line.sku);
    const { address, reference } = session.checkout;
    send(
      res,
      200,
      'Review',
      pages.reviewPage(lines, state.totalsOf(lines), address, reference, state.switches.variant, gone),
    );
  });

  router.post('/checkout/place', requireSignIn, (req, res) => {
    if (state.switches.failingCheckouts > 0) {
      state.switches.failingCheckouts -= 1;
      return send(
        res,
        500,
        'Error',
        pages.messagePage('Something went wrong', 'We could not place your order. Please try again.', 'server'),
      );
    }
    const result = state.placeOrder(sessionOf(res), clock.now());
    if (result.kind === 'refused')
      return send(res, result.status, 'Checkout', pages.messagePage('Order not placed', result.message, result.reason));
    if (state.switches.crashAfterNextOrder) {
      // The order is saved but the shopper never hears back: the case a placement lookup exists for.
      state.switches.crashAfterNextOrder = false;
      return req.socket.destroy();
    }
    res.redirect(303, `/orders/${result.order.confirmationNumber}`);
  });

  router.get('/orders/:confirmation', requireSignIn, (req, res) => {
    const order = state.order(String(req.params.confirmation));
    if (!order || order.username !== sessionOf(res).username) {
      return send(res, 404, 'Not found', pages.messagePage('Not found', 'No such order.', 'not-found'));
    }
    send(res, 200, 'Order confirmed', pages.confirmationPage(order));
  });

  // The data behind the single-page history (spa-mode.ts), answered late on purpose.
  router.get('/account/orders.json', requireSignIn, async (_req, res) => {
    await new Promise((resolve) => setTimeout(resolve, state.switches.spa?.dataDelayMs ?? 0));
    res.json({ loaded: true });
  });

  router.get('/account/orders', requireSignIn, (req, res) => {
    const reference =
      typeof req.query.reference === 'string' && req.query.reference ? req.query.reference.trim() : undefined;
    const page = Math.max(1, Number.parseInt(String(req.query.page ?? '1'), 10) || 1);
    const matching = state
      .ordersOf(sessionOf(res).username!)
      .filter((order) => !reference || order.reference === reference)
      .reverse();
    const shown = matching.slice((page - 1) * ordersPerPage, page * ordersPerPage);
    send(
      res,
      200,
      'Your orders',
      pages.orderHistoryPage(shown, page, matching.length > page * ordersPerPage, reference),
    );
  });

  return router;
}
