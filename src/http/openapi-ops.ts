import { z } from 'zod';
import type { AddOperation } from './openapi-operation';
import { CatalogChange, CatalogChangeListQuery, CatalogSyncListQuery, CatalogSyncRun } from './schemas/catalog-sync';
import {
  CompleteTaskInput,
  FailTaskInput,
  OpsOrderListQuery,
  OpsTask,
  RetryOrderInput,
  TaskIdParam,
  TaskListQuery,
} from './schemas/ops';
import { OpsOrderListItem, OrderListItem, OrderNumberParam } from './schemas/orders';
import { ReconciliationRun, ReconciliationRunDetail, RunIdParam, RunListQuery } from './schemas/reconciliation';

const SlugParam = z.object({ slug: z.string() });

/** The ops API: tasks for people, orders by status, retries, reconciliation and catalog syncs. */
export function describeOpsApi(add: AddOperation): void {
  const ops = ['Ops'];
  const taskErrors = { 403: 'forbidden', 404: 'not_found', 409: 'task_not_open' };
  // Resolving a task moves its order, which may have moved meanwhile; failing one refunds it.
  const resolveErrors = { ...taskErrors, 409: 'task_not_open | invalid_transition' };
  add('get', '/ops/tasks', {
    summary: 'Tasks for people, oldest first: manual placements, price reviews and cancels',
    tags: ops,
    query: TaskListQuery,
    response: OpsTask,
    pageTotal: 'totalTasks',
    errors: { 403: 'forbidden' },
  });
  add('get', '/ops/tasks/{taskId}', {
    summary: 'One task',
    tags: ops,
    params: TaskIdParam,
    response: OpsTask,
    errors: { 403: 'forbidden', 404: 'not_found' },
  });
  add('post', '/ops/tasks/{taskId}/claim', {
    summary: 'Claim a task',
    tags: ops,
    params: TaskIdParam,
    response: OpsTask,
    errors: taskErrors,
  });
  add('post', '/ops/tasks/{taskId}/release', {
    summary: 'Give a claimed task back (the claimer or an admin)',
    tags: ops,
    params: TaskIdParam,
    response: OpsTask,
    errors: taskErrors,
  });
  add('post', '/ops/tasks/{taskId}/complete', {
    summary: 'Placed by hand: record the retailer’s order number (order → placed)',
    tags: ops,
    params: TaskIdParam,
    body: CompleteTaskInput,
    response: OpsTask,
    errors: resolveErrors,
  });
  add('post', '/ops/tasks/{taskId}/fail', {
    summary: 'Could not place: the order fails and is refunded',
    tags: ops,
    params: TaskIdParam,
    body: FailTaskInput,
    response: OpsTask,
    errors: { ...resolveErrors, 503: 'service_unavailable (the refund could not reach the payment provider)' },
  });
  add('get', '/ops/orders', {
    summary: 'Orders by status (or disputed), most recently changed first, with their disputes',
    tags: ops,
    query: OpsOrderListQuery,
    response: OpsOrderListItem,
    pageTotal: 'totalOrders',
    errors: { 403: 'forbidden' },
  });
  add('get', '/ops/reconciliation', {
    summary: 'Reconciliations with Stripe (daily, or `npm run reconcile`), newest first, with the drift each found',
    tags: ops,
    query: RunListQuery,
    response: ReconciliationRun,
    pageTotal: 'totalRuns',
    errors: { 403: 'forbidden' },
  });
  add('get', '/ops/reconciliation/{runId}', {
    summary: 'One reconciliation with its report: every difference between Stripe and the ledger',
    tags: ops,
    params: RunIdParam,
    response: ReconciliationRunDetail,
    errors: { 403: 'forbidden', 404: 'not_found' },
  });
  add('post', '/ops/orders/{orderNumber}/retry', {
    summary: 'Send a failed or stuck order back into placement',
    tags: ops,
    params: OrderNumberParam,
    body: RetryOrderInput,
    response: OrderListItem,
    status: 202,
    errors: {
      403: 'forbidden',
      404: 'not_found',
      409: 'invalid_transition | task_not_open (someone holds its placement task) | payment_not_captured (the capture left it out)',
    },
  });

  add('post', '/ops/stores/{slug}/catalog-sync', {
    summary:
      'Sync the store’s catalog from its retailer now: new products appear, prices and availability follow, products it dropped become unavailable',
    tags: ops,
    params: SlugParam,
    response: CatalogSyncRun,
    status: 201,
    errors: {
      403: 'forbidden',
      404: 'store_not_found',
      409: 'request_in_progress (a sync of this store is running)',
      422: 'catalog_not_readable (no connection of this store can read its catalog: keep it with PUT /admin/products)',
      502: 'catalog_sync_failed (the retailer could not be read; details.run is the failed run, nothing was changed)',
    },
  });
  add('get', '/ops/catalog/syncs', {
    summary: 'Catalog sync runs, newest first, with what each changed',
    tags: ops,
    query: CatalogSyncListQuery,
    response: CatalogSyncRun,
    pageTotal: 'totalRuns',
    errors: { 403: 'forbidden' },
  });
  add('get', '/ops/catalog/changes', {
    summary: 'What catalog syncs changed, newest first: prices, availability, new and dropped products',
    tags: ops,
    query: CatalogChangeListQuery,
    response: CatalogChange,
    pageTotal: 'totalChanges',
    errors: { 403: 'forbidden' },
  });
}
