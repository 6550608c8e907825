import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';

export interface ArtifactOptions {
  dir: string;
  /** `<orderNumber>-<attempt>-<timestamp>`; the extension (and a label) is appended. */
  baseName: string;
  /** Values to keep out of the files: passwords, card numbers. */
  secrets: readonly string[];
}

export interface FailureArtifacts {
  screenshot?: string;
  html?: string;
  /** Why a file is missing, e.g. the browser had already crashed. */
  error?: string;
}

const MASK = '••••••';
const REDACTED = '[redacted]';
/** A hung renderer must not hold the failure report hostage (Puppeteer's own protocol timeout is minutes). */
const CAPTURE_TIMEOUT_MS = 10_000;

function withinCaptureTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`capture took longer than ${CAPTURE_TIMEOUT_MS} ms`)),
      CAPTURE_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `fn` while every password field, and every field holding a secret, shows a mask instead; the real values
 * are put back afterwards, so a screenshot taken mid-flow does not change what the form submits.
 */
async function withSecretsMasked<T>(page: Page, secrets: readonly string[], fn: () => Promise<T>): Promise<T> {
  const masked = await page.evaluate(
    (values, mask) => {
      const fields = Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea'));
      const hidden = fields.filter(
        (field) =>
          (field instanceof HTMLInputElement && field.type === 'password') ||
          values.includes(field.value.replace(/[\s-]/g, '')),
      );
      (window as unknown as { __maskedValues: unknown }).__maskedValues = hidden.map((field) => [field, field.value]);
      for (const field of hidden) field.value = field.value ? mask : '';
      return hidden.length;
    },
    secrets,
    MASK,
  );
  try {
    return await fn();
  } finally {
    if (masked > 0) {
      await page
        .evaluate(() => {
          const entries = (window as unknown as { __maskedValues: [HTMLInputElement, string][] }).__maskedValues;
          for (const [field, value] of entries) field.value = value;
        })
        .catch(() => undefined);
    }
  }
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((secret) => secret.length >= 4).reduce((out, secret) => out.split(secret).join(REDACTED), text);
}

export async function saveScreenshot(
  page: Page,
  { dir, baseName, secrets }: ArtifactOptions,
  label?: string,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${baseName}${label ? `-${label}` : ''}.png`);
  await withSecretsMasked(page, secrets, () => page.screenshot({ path, fullPage: true }));
  return path;
}

/** A screenshot (PNG) and the page's HTML, as evidence for whoever looks at the failed order. Never throws. */
export async function saveFailureArtifacts(page: Page, options: ArtifactOptions): Promise<FailureArtifacts> {
  const artifacts: FailureArtifacts = {};
  const problems: string[] = [];
  try {
    artifacts.screenshot = await withinCaptureTimeout(saveScreenshot(page, options));
  } catch (error) {
    problems.push(`screenshot: ${(error as Error).message}`);
  }
  try {
    const html = join(options.dir, `${options.baseName}.html`);
    await mkdir(options.dir, { recursive: true });
    await writeFile(html, redact(await withinCaptureTimeout(page.content()), options.secrets));
    artifacts.html = html;
  } catch (error) {
    problems.push(`html: ${(error as Error).message}`);
  }
  if (problems.length > 0) artifacts.error = problems.join('; ');
  return artifacts;
}
