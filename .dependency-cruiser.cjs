/**
 * Import rules that `npm run lint` checks (README "Architecture"; shared STYLE.md "The shape").
 * Requests and jobs flow routes → controllers → services → repositories / placement / payments, never back up.
 * There is no list of tolerated exceptions: any violation fails the lint.
 */
const LOWER_LAYERS = '^src/(repositories|placement|payments)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle (type-only imports included) means two modules are one concept, or one is misplaced.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-self-contained',
      severity: 'error',
      comment: 'src/domain is the model every layer shares; it imports nothing from the rest of src.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'controllers-not-to-repositories',
      severity: 'error',
      comment: 'A controller calls a service; the service owns which rows are read and written.',
      from: { path: '^src/controllers/' },
      to: { path: '^src/repositories/' },
    },
    {
      name: 'http-not-to-payments',
      severity: 'error',
      comment: 'Payment gateway failures reach HTTP as domain errors, translated at the gateway boundary.',
      from: { path: '^src/http/' },
      to: { path: '^src/payments/' },
    },
    {
      name: 'services-not-to-express',
      severity: 'error',
      comment: 'Services are the use cases, callable from the API, the worker and tests alike: no Express in them.',
      from: { path: '^src/services/' },
      to: { path: '^node_modules/(express|@types/express[^/]*)/' },
    },
    {
      name: 'controllers-not-to-routes',
      severity: 'error',
      comment: 'Routes wire URLs to controllers, never the other way.',
      from: { path: '^src/controllers/' },
      to: { path: '^src/routes/' },
    },
    {
      name: 'services-not-to-web-layers',
      severity: 'error',
      comment: 'Services know nothing of URLs, request parsing or HTTP middleware.',
      from: { path: '^src/services/' },
      to: { path: '^src/(routes|controllers|http)/' },
    },
    {
      name: 'lower-layers-not-to-upper',
      severity: 'error',
      comment: 'Repositories, placement and payments are called by services; they never call back up.',
      from: { path: LOWER_LAYERS },
      to: { path: '^src/(routes|controllers|http|services)/' },
    },
  ],
  options: {
    // Type-only imports count: a cycle through types is still a cycle a reader has to walk.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^tests/platforms/[^/]+/', '^dist/'] },
  },
};
