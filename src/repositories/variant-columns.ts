import type { LineVariant } from '../domain/line-item';

/** A stored variant ('' for none) as the domain holds it (null for none). */
export const variantFromRow = (row: { size?: string | null; color?: string | null }): LineVariant => ({
  size: row.size || null,
  color: row.color || null,
});

/** A variant as its NOT NULL columns store it. */
export const variantColumns = (variant: LineVariant): { size: string; color: string } => ({
  size: variant.size ?? '',
  color: variant.color ?? '',
});
