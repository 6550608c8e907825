import type { Page } from 'puppeteer-core';
import { PermanentPlacementError } from '../placement-adapter';
import type { PageDriver } from './page-driver';
import type { TemplateValues } from './template';

/** What a single step needs from the run it belongs to. */
export interface StepContext {
  page: Page;
  driver: PageDriver;
  values: TemplateValues;
  extracted: Record<string, string | number>;
  markSubmitted(): void;
  guardPrice(): void;
  screenshot(label: string): Promise<void>;
  call(action: string): Promise<void>;
}

/** The `flow_broken` of an element that never showed up, which an `optional` step may skip. */
export const isMissingElement = (error: unknown) =>
  error instanceof PermanentPlacementError && error.code === 'flow_broken' && 'selector' in error.details;
