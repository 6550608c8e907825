import type { Request, Response } from 'express';
import { principalOf } from '../http/auth';
import { send, sendPage } from '../http/respond';
import { parseInput } from '../http/validate';
import { OrderNumberParam } from '../http/schemas/orders';
import {
  CompleteTaskInput,
  FailTaskInput,
  OpsOrderListQuery,
  RetryOrderInput,
  TaskIdParam,
  TaskListQuery,
} from '../http/schemas/ops';
import type { OpsTaskRecord } from '../domain/ops-task';
import type { OpsService } from '../services/ops-service';
import { presentDispute, presentOrderListItem } from './presenters';

const presentTask = (task: OpsTaskRecord) => ({
  taskId: task.id,
  orderNumber: task.orderNumber,
  kind: task.kind,
  status: task.status,
  payload: task.payload,
  claimedBy: task.claimedBy,
  claimedAt: task.claimedAt?.toISOString() ?? null,
  resolvedBy: task.resolvedBy,
  resolvedAt: task.resolvedAt?.toISOString() ?? null,
  storeOrderNumber: task.storeOrderNumber,
  failureReason: task.failureReason,
  createdAt: task.createdAt.toISOString(),
});

export function createOpsController(ops: OpsService) {
  const taskId = (req: Request) => parseInput(TaskIdParam, req.params, 'taskId').taskId;
  return {
    async listTasks(req: Request, res: Response) {
      const query = parseInput(TaskListQuery, req.query, 'query');
      const { tasks, totalTasks } = await ops.listTasks(query.status, query.limit, query.offset);
      sendPage(res, tasks.map(presentTask), { totalTasks, limit: query.limit, offset: query.offset });
    },
    async getTask(req: Request, res: Response) {
      send(res, presentTask(await ops.getTask(taskId(req))));
    },
    async claim(req: Request, res: Response) {
      send(res, presentTask(await ops.claim(principalOf(req), taskId(req))));
    },
    async release(req: Request, res: Response) {
      send(res, presentTask(await ops.release(principalOf(req), taskId(req))));
    },
    async complete(req: Request, res: Response) {
      const id = taskId(req);
      const { storeOrderNumber } = parseInput(CompleteTaskInput, req.body);
      send(res, presentTask(await ops.complete(principalOf(req), id, storeOrderNumber)));
    },
    async fail(req: Request, res: Response) {
      const id = taskId(req);
      const { reason } = parseInput(FailTaskInput, req.body);
      send(res, presentTask(await ops.fail(principalOf(req), id, reason)));
    },
    async listOrders(req: Request, res: Response) {
      const query = parseInput(OpsOrderListQuery, req.query, 'query');
      const { orders, totalOrders, disputes } = await ops.listOrders(
        { status: query.status, disputed: query.disputed },
        query.limit,
        query.offset,
      );
      const page = orders.map((order) => ({
        ...presentOrderListItem(order),
        disputes: (disputes.get(order.id) ?? []).map(presentDispute),
      }));
      sendPage(res, page, { totalOrders, limit: query.limit, offset: query.offset });
    },
    async retryOrder(req: Request, res: Response) {
      const { orderNumber } = parseInput(OrderNumberParam, req.params, 'orderNumber');
      const { placementMethod } = parseInput(RetryOrderInput, req.body ?? {});
      send(res, presentOrderListItem(await ops.retry(principalOf(req), orderNumber, placementMethod)), 202);
    },
  };
}
