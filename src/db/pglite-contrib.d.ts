/**
 * PGlite ships its contrib extensions as subpath exports (`@electric-sql/pglite/contrib/*`); TypeScript's node10
 * resolution used here does not read `exports`, so the one we load is declared by hand.
 */
declare module '@electric-sql/pglite/contrib/pg_trgm' {
  import type { Extension } from '@electric-sql/pglite';
  export const pg_trgm: Extension;
}
