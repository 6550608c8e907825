import { systemClock, type Clock } from '../domain/clock';
import { createMorRetailerApiConnector } from './connectors/mor-retailer-api';
import { platformOf, type PlatformCheckoutJournal, type PlatformConnector } from './connectors/platform-connector';
import { createVendureConnector } from './connectors/vendure';
import { createHttpTransport, type HttpTransport } from './http-transport';
import { PermanentPlacementError, type PlacementAdapter } from './placement-adapter';

export { parseRetryAfter } from './connectors/mor-retailer-protocol';

export interface ApiPlacementAdapterOptions {
  transport?: HttpTransport;
  clock?: Clock;
  /**
   * Where platform connectors record the retailer-side order before they pay (`platform_checkouts`). Connectors
   * that need it to never buy twice (Vendure) are only offered when it is given.
   */
  journal?: PlatformCheckoutJournal;
  /** Replaces the built-in connectors (tests, or a deployment with its own). */
  connectors?: readonly PlatformConnector[];
}

/**
 * The `api` placement method: buys through a retailer's own API, by way of the platform connector the store's
 * `placementConfig.platform` names (src/placement/connectors; `mor-retailer-api` when it names none).
 */
export function createApiPlacementAdapter(options: ApiPlacementAdapterOptions = {}): PlacementAdapter {
  const transport = options.transport ?? createHttpTransport();
  const clock = options.clock ?? systemClock;
  const connectors = options.connectors ?? [
    createMorRetailerApiConnector({ transport, clock }),
    ...(options.journal ? [createVendureConnector({ transport, clock, journal: options.journal })] : []),
  ];
  const byPlatform = new Map(connectors.map((connector) => [connector.platform, connector]));
  const known = () => [...byPlatform.keys()].join(', ');

  const connectorFor = (config: unknown): PlatformConnector => {
    const platform = platformOf(config);
    const connector = byPlatform.get(platform);
    if (!connector) {
      throw new PermanentPlacementError(
        'config_invalid',
        `platform "${platform}" is not available on this deployment`,
        { platform },
      );
    }
    return connector;
  };

  const polling = connectors.filter((connector) => connector.statusUpdates === 'polling');

  return {
    method: 'api',

    validateConfig(config) {
      const platform = platformOf(config);
      const connector = byPlatform.get(platform);
      if (!connector) return { platform: `"${platform}" is not available on this deployment (one of: ${known()})` };
      return connector.validateConfig(config);
    },

    place: (order, context) => connectorFor(context.config).place(order, context),

    lookup: (order, context) => connectorFor(context.config).lookup(order, context),

    quoteShipping(request, context) {
      const connector = connectorFor(context.config);
      if (!connector.quoteShipping) {
        throw new PermanentPlacementError(
          'config_invalid',
          `the ${connector.platform} connector cannot quote shipping`,
          { platform: connector.platform },
        );
      }
      return connector.quoteShipping(request, context);
    },

    async check(context) {
      const platform = platformOf(context.config);
      const connector = byPlatform.get(platform);
      if (!connector)
        return [
          {
            name: 'platform',
            ok: false,
            message: `"${platform}" is not available on this deployment (one of: ${known()})`,
          },
        ];
      return [
        { name: 'platform', ok: true, message: `placed through the ${platform} connector` },
        ...(await connector.check(context)),
      ];
    },

    statusPolling:
      polling.length === 0
        ? undefined
        : {
            platforms: polling.map((connector) => connector.platform),
            readStatus(storeOrderNumber, context) {
              const connector = connectorFor(context.config);
              if (!connector.readStatus)
                throw new Error(`the ${connector.platform} connector cannot read an order's status`);
              return connector.readStatus(storeOrderNumber, context);
            },
          },
  };
}
