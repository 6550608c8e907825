import type { RecipeModules } from './recipe-module';
import { createPagedOrderHistoryModule } from './paged-order-history-module';

/** The modules the service ships with. */
export const builtInRecipeModules: RecipeModules = {
  'paged-order-history': createPagedOrderHistoryModule({
    historyUrl: '{{baseUrl}}/account/orders',
    historySelector: '[data-order-history]',
    rowSelector: '[data-order-reference="{{order.orderNumber}}"]',
    confirmationSelector: '[data-confirmation-number]',
    totalSelector: '[data-total]',
    nextPageSelector: 'a[rel="next"]',
    maxPages: 20,
  }),
};
