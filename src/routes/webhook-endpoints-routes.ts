import { Router } from 'express';
import { requireRole } from '../http/auth';
import type { createWebhookEndpointsController } from '../controllers/webhook-endpoints-controller';

export function webhookEndpointsRoutes(controller: ReturnType<typeof createWebhookEndpointsController>): Router {
  const router = Router();
  router.post('/admin/webhook-endpoints', requireRole('admin'), controller.create);
  router.get('/admin/webhook-endpoints', requireRole('admin'), controller.list);
  router.get('/admin/webhook-endpoints/:endpointId', requireRole('admin'), controller.get);
  router.delete('/admin/webhook-endpoints/:endpointId', requireRole('admin'), controller.remove);
  router.post('/admin/webhook-endpoints/:endpointId/roll-secret', requireRole('admin'), controller.rollSecret);
  router.get('/ops/webhook-endpoints', requireRole('ops'), controller.opsList);
  router.get('/ops/webhook-endpoints/:endpointId/deliveries', requireRole('ops'), controller.deliveries);
  router.post('/ops/webhook-endpoints/:endpointId/enable', requireRole('ops'), controller.enable);
  router.post('/ops/webhook-deliveries/:deliveryId/redeliver', requireRole('ops'), controller.redeliver);
  router.get('/ops/emails', requireRole('ops'), controller.emails);
  return router;
}
