/**
 * A line's variant, one shape everywhere in the domain: null means "none" (no size, no colour). The database keeps
 * "none" as '' (the columns are NOT NULL, so a cart's unique line key can include them); the repositories convert
 * on read and write, and nothing else does.
 */
export interface LineVariant {
  size: string | null;
  color: string | null;
}
