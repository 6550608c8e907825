import type { Knex } from 'knex';
import { DomainError } from '../domain/errors';
import { canTransition } from '../domain/order-status';
import type { Principal } from '../domain/principal';
import type { OrderRecord } from '../domain/order';
import type { PlacementMethod } from '../domain/placement-method';
import * as orders from '../repositories/orders-repository';
import * as tasks from '../repositories/ops-tasks-repository';
import type { OpsTaskKind, OpsTaskRecord, OpsTaskStatus } from '../domain/ops-task';
import { findStoreById } from '../repositories/stores-repository';
import { takenCents } from '../repositories/captures-repository';
import { refundedCentsByOrder } from '../repositories/payment-transactions-repository';
import { listDisputesOfOrders } from '../repositories/disputes-repository';
import type { OrderDispute } from '../domain/dispute';
import { transitionOrder } from './order-state-machine';
import type { PlacementService } from './placement-service';
import type { EnqueuePlacements } from '../queue/placement-queue';
import type { ServiceDeps } from './service-deps';

/** Tasks that ask a person to buy the order (as opposed to cancelling one the retailer already has). */
const PLACEMENT_TASK_KINDS: readonly OpsTaskKind[] = ['place_order', 'price_review'];

/** What the ops team does: work the task queue, and retry failed orders. */
export function createOpsService(deps: ServiceDeps, placement: PlacementService, enqueue: EnqueuePlacements) {
  const { db, clock } = deps;

  async function loadTask(taskId: string): Promise<OpsTaskRecord> {
    const task = await tasks.findTask(db, taskId);
    if (!task) throw new DomainError('not_found', 'Task not found');
    return task;
  }

  /**
   * Who may finish the task, and the write that finishes it. The caller commits that write together with the
   * order's move, so a crash never leaves a task done for an order still being placed (or the other way round).
   */
  async function resolution(
    principal: Principal,
    taskId: string,
    to: 'done' | 'failed',
    fields: { storeOrderNumber?: string; failureReason?: string },
  ) {
    const task = await loadTask(taskId);
    if (task.status === 'claimed' && task.claimedBy !== principal.userId && principal.role !== 'admin') {
      throw new DomainError('task_not_open', `Task is claimed by ${task.claimedBy}`);
    }
    const resolve = async (conn: Knex) => {
      if (
        !(await tasks.moveTask(
          conn,
          taskId,
          ['open', 'claimed'],
          to,
          { ...fields, resolvedBy: principal.userId },
          clock.now(),
        ))
      ) {
        throw new DomainError('task_not_open', `Task is already ${(await loadTask(taskId)).status}`);
      }
    };
    return { task, resolve };
  }

  /**
   * A retry replaces the placement people were asked to do. Open tasks are withdrawn so nobody buys the order a
   * second time by hand; a claimed one may be mid-purchase at the retailer, so its holder completes or fails it first.
   */
  async function withdrawPlacementTasks(orderId: string): Promise<void> {
    const live = (await tasks.listLiveTasksForOrder(db, orderId)).filter((task) =>
      PLACEMENT_TASK_KINDS.includes(task.kind),
    );
    for (const task of live) {
      if (task.status === 'open' && (await tasks.moveTask(db, task.id, ['open'], 'cancelled', {}, clock.now())))
        continue;
      const current = task.status === 'open' ? await loadTask(task.id) : task;
      const holder = current.claimedBy ? ` by ${current.claimedBy}` : '';
      throw new DomainError(
        'task_not_open',
        `Task ${task.id} is ${current.status}${holder}; it must be resolved first`,
        {
          taskId: task.id,
          status: current.status,
          claimedBy: current.claimedBy,
        },
      );
    }
  }

  return {
    /** One page of tasks, oldest first, and how many match the filter in all. */
    async listTasks(
      status: OpsTaskStatus | undefined,
      limit: number,
      offset: number,
    ): Promise<{ tasks: OpsTaskRecord[]; totalTasks: number }> {
      const [page, totalTasks] = await Promise.all([
        tasks.listTasks(db, status, limit, offset),
        tasks.countTasks(db, status),
      ]);
      return { tasks: page, totalTasks };
    },

    getTask: loadTask,

    async claim(principal: Principal, taskId: string): Promise<OpsTaskRecord> {
      const task = await loadTask(taskId);
      if (task.status === 'claimed' && task.claimedBy === principal.userId) return task;
      if (!(await tasks.moveTask(db, taskId, ['open'], 'claimed', { claimedBy: principal.userId }, clock.now()))) {
        throw new DomainError(
          'task_not_open',
          `Task is ${task.status}${task.claimedBy ? ` (claimed by ${task.claimedBy})` : ''}`,
        );
      }
      return loadTask(taskId);
    },

    /** The person who claimed a task (or an admin) gives it back to the queue for someone else. */
    async release(principal: Principal, taskId: string): Promise<OpsTaskRecord> {
      const task = await loadTask(taskId);
      if (task.status !== 'claimed') throw new DomainError('task_not_open', `Task is ${task.status}, not claimed`);
      if (task.claimedBy !== principal.userId && principal.role !== 'admin') {
        throw new DomainError(
          'task_not_open',
          `Task is claimed by ${task.claimedBy}; only they or an admin can release it`,
        );
      }
      if (!(await tasks.releaseTask(db, taskId, clock.now())))
        throw new DomainError('task_not_open', 'Task changed meanwhile');
      return loadTask(taskId);
    },

    /**
     * A person placed the order on the retailer's site: it is placed with the retailer's order number. For a
     * cancel task, the person cancelled it there (the order was already cancelled and refunded).
     */
    async complete(principal: Principal, taskId: string, storeOrderNumber: string) {
      const { task, resolve } = await resolution(principal, taskId, 'done', { storeOrderNumber });
      if (task.kind === 'cancel_order') {
        await resolve(db);
        return loadTask(taskId);
      }
      const order = (await orders.findOrderByNumber(db, task.orderNumber))!;
      await placement.markPlaced(
        order,
        storeOrderNumber,
        `placed by hand by ${principal.userId} (task ${taskId})`,
        undefined,
        resolve,
      );
      return loadTask(taskId);
    },

    /** A person could not place it: the order fails and is refunded. (A cancel that failed changes no order.) */
    async fail(principal: Principal, taskId: string, reason: string) {
      const { task, resolve } = await resolution(principal, taskId, 'failed', { failureReason: reason });
      if (task.kind === 'cancel_order') {
        await resolve(db);
        return loadTask(taskId);
      }
      const order = (await orders.findOrderByNumber(db, task.orderNumber))!;
      await placement.failOrder(order, `ops (${principal.userId}): ${reason}`, resolve);
      return loadTask(taskId);
    },

    /** One page of orders, most recently changed first, how many match the filter in all, and their disputes. */
    async listOrders(
      filter: Pick<orders.OrderFilter, 'status' | 'disputed'>,
      limit: number,
      offset: number,
    ): Promise<{ orders: OrderRecord[]; totalOrders: number; disputes: Map<string, OrderDispute[]> }> {
      const [page, totalOrders] = await Promise.all([
        orders.listOrders(db, filter, limit, offset),
        orders.countOrders(db, filter),
      ]);
      return {
        orders: page,
        totalOrders,
        disputes: await listDisputesOfOrders(
          db,
          page.map((order) => order.id),
        ),
      };
    },

    /**
     * Sends a failed order (or one waiting for people) back into placement, optionally by another method. Only
     * while the shopper's money for it has not been returned, nor left out of the checkout's capture: we never buy
     * with money we no longer hold.
     */
    async retry(principal: Principal, orderNumber: string, method?: PlacementMethod) {
      const order = await orders.findOrderByNumber(db, orderNumber);
      if (!order) throw new DomainError('not_found', 'Order not found');
      // Checked now for a prompt answer, and again on the move itself, where a refund or a capture racing it is seen
      // for sure.
      const moneyStillHeld = async (conn: Knex) => {
        if (order.status !== 'failed') return;
        const refunded = (await refundedCentsByOrder(conn, [order.id])).get(order.id) ?? 0;
        if (refunded > 0) {
          throw new DomainError('invalid_transition', 'The order was refunded; it cannot be placed again', {
            refundedCents: refunded,
          });
        }
        if ((await takenCents(conn, order.id)) === 0) {
          throw new DomainError(
            'payment_not_captured',
            "The order was left out of its checkout's capture: its money was never taken, so it cannot be placed again",
          );
        }
      };
      await moneyStillHeld(db);
      const store = (await findStoreById(db, order.storeId))!;
      const nextMethod = method ?? order.placementMethod;
      if (nextMethod !== store.placementMethod && nextMethod !== 'manual' && nextMethod !== store.fallbackMethod) {
        throw new DomainError('validation_failed', `Store ${store.slug} has no ${nextMethod} configuration`, {
          fields: {
            placementMethod: `must be ${[store.placementMethod, store.fallbackMethod, 'manual'].filter(Boolean).join(', ')}`,
          },
        });
      }
      if (canTransition(order.status, 'placing')) await withdrawPlacementTasks(order.id);
      const moved = await transitionOrder(
        deps,
        order,
        'placing',
        `retry requested by ${principal.userId} via ${nextMethod}`,
        { placementMethod: nextMethod, failureReason: null },
        moneyStillHeld,
      );
      await enqueue([{ orderNumber, storeId: order.storeId, runKey: `retry-${Date.now()}` }]);
      return moved;
    },
  };
}

export type OpsService = ReturnType<typeof createOpsService>;
