import type { Request, Response } from 'express';
import { parseInput } from '../http/validate';
import { send } from '../http/respond';
import { CreateStoreInput, UpdateStoreInput, UpsertProductInput } from '../http/schemas/catalog';
import { slug } from '../http/schemas/common';
import type { CatalogService } from '../services/catalog-service';
import type { StoreCheckService } from '../services/store-checks/store-check-service';
import { presentProduct, presentStore, presentStoreForAdmin } from './presenters';

export function createCatalogController(catalog: CatalogService, storeChecks: StoreCheckService) {
  return {
    async listStores(_req: Request, res: Response) {
      send(res, (await catalog.listStores()).map(presentStore));
    },

    async createStore(req: Request, res: Response) {
      const input = parseInput(CreateStoreInput, req.body);
      send(res, presentStoreForAdmin(await catalog.createStore(input)), 201);
    },

    async updateStore(req: Request, res: Response) {
      const storeSlug = parseInput(slug, req.params.slug, 'slug');
      const input = parseInput(UpdateStoreInput, req.body);
      send(res, presentStoreForAdmin(await catalog.updateStore(storeSlug, input)));
    },

    /** A dry run of the store's placement config against its retailer; nothing is bought. */
    async checkStore(req: Request, res: Response) {
      const storeSlug = parseInput(slug, req.params.slug, 'slug');
      send(res, await storeChecks.check(storeSlug));
    },

    async upsertProduct(req: Request, res: Response) {
      const input = parseInput(UpsertProductInput, req.body);
      const { product, created, store } = await catalog.upsertProduct(input);
      send(res, presentProduct(product, store), created ? 201 : 200);
    },
  };
}
