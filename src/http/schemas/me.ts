import { z } from 'zod';

export const Me = z
  .object({
    userId: z.string().meta({ description: 'The token’s `sub`' }),
    role: z.enum(['shopper', 'ops', 'admin']).meta({ description: 'The token’s `role` (`shopper` when it has none)' }),
  })
  .meta({ id: 'Me' });
