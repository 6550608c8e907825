import { createApp, type AppOptions } from '../../src/app';
import { createServices, type ServiceInputs } from '../../src/services/create-services';

/** What a test builds one API process from: the services' inputs and the HTTP app's options. */
export type AppDeps = ServiceInputs & AppOptions;

/** One process's services and the HTTP app over them, as src/server.ts composes them. */
export function composeApp(deps: AppDeps) {
  return createApp(createServices(deps), deps);
}
