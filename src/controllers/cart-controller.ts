import type { Request, Response } from 'express';
import { principalOf } from '../http/auth';
import { send } from '../http/respond';
import { parseInput } from '../http/validate';
import { AddCartItemInput, UpdateCartItemInput } from '../http/schemas/cart';
import { uuidParam } from '../http/schemas/common';
import type { CartService } from '../services/cart-service';
import { presentCart } from './presenters';

export function createCartController(cart: CartService) {
  const itemId = (req: Request) => parseInput(uuidParam, req.params.itemId, 'itemId');
  return {
    async get(req: Request, res: Response) {
      send(res, presentCart(await cart.view(principalOf(req).userId)));
    },
    async addItem(req: Request, res: Response) {
      const input = parseInput(AddCartItemInput, req.body);
      send(res, presentCart(await cart.addItem(principalOf(req).userId, input)), 201);
    },
    async updateItem(req: Request, res: Response) {
      const id = itemId(req);
      const { quantity } = parseInput(UpdateCartItemInput, req.body);
      send(res, presentCart(await cart.updateQuantity(principalOf(req).userId, id, quantity)));
    },
    async removeItem(req: Request, res: Response) {
      send(res, presentCart(await cart.removeItem(principalOf(req).userId, itemId(req))));
    },
    async clear(req: Request, res: Response) {
      send(res, presentCart(await cart.clear(principalOf(req).userId)));
    },
  };
}
