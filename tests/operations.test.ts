import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';

let h: CheckoutHarness;
beforeAll(async () => {
  h = await startCheckoutHarness();
});
afterAll(() => h.close());

describe('operations endpoints', () => {
  it('reports liveness and readiness with each dependency', async () => {
    await h.http.get('/healthz').expect(200, { status: 'ok' });
    const ready = await h.http.get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('reports not ready when a dependency is down', async () => {
    const broken = await startCheckoutHarness({
      readinessChecks: { redis: () => Promise.reject(new Error('connection refused')) },
    });
    try {
      const res = await broken.http.get('/readyz').expect(503);
      expect(res.body).toEqual({ status: 'not_ready', checks: { database: 'ok', redis: 'connection refused' } });
    } finally {
      await broken.close();
    }
  });

  it('exposes Prometheus metrics, with request latency by route pattern', async () => {
    await h.http.get('/api/v1/stores').expect(200);
    const res = await h.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/api\/v1\/stores"/);
  });

  it('serves an OpenAPI document generated from the request schemas', async () => {
    const { body } = await h.http.get('/api/docs.json').expect(200);
    expect(body.openapi).toBe('3.1.0');
    const place = body.paths['/api/v1/checkout/sessions/{sessionId}/place'].post;
    expect(place.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]),
    );
    expect(Object.keys(place.responses)).toEqual(expect.arrayContaining(['201', '402', '409', '410', '422']));
    const shipping =
      body.paths['/api/v1/checkout/sessions/{sessionId}/shipping'].put.requestBody.content['application/json'].schema;
    expect(JSON.stringify(body.components.schemas.ShippingAddressInput ?? shipping)).toContain('zip');
    expect(body.paths['/api/v1/ops/tasks/{taskId}/complete']).toBeDefined();
    const schemaOf = (path: string) => body.paths[path].get.responses['200'].content['application/json'].schema;
    expect(schemaOf('/api/v1/me').properties.data).toEqual({ $ref: '#/components/schemas/Me' });
    expect(schemaOf('/api/v1/ops/tasks').properties.meta.required).toEqual(['totalTasks', 'limit', 'offset']);
    expect(schemaOf('/api/v1/ops/orders').properties.meta.required).toEqual(['totalOrders', 'limit', 'offset']);
    expect(body.components.schemas.OrderListItem.required).toContain('currency');
    expect(Object.keys(body.paths['/readyz'].get.responses)).toEqual(['200', '503']);
    expect(body.paths['/metrics'].get.responses['200'].content).toHaveProperty('text/plain');
    expect(body.paths['/healthz'].get.security).toBeUndefined();
    const ui = await h.http.get('/api/docs/').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('echoes a caller-supplied request id and makes one up otherwise', async () => {
    const given = await h.http.get('/healthz').set('X-Request-Id', 'req-abc-123');
    expect(given.headers['x-request-id']).toBe('req-abc-123');
    const made = await h.http.get('/healthz');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
