export type Role = 'shopper' | 'ops' | 'admin';

/** Who is asking. Shoppers see their own data; ops and admin see everyone's. */
export interface Principal {
  userId: string;
  role: Role;
}

export const canSeeAllUsers = (principal: Principal): boolean => principal.role !== 'shopper';
