/**
 * The placement queue is one BullMQ queue per placement method, so each kind of worker can run where it fits and
 * be sized on its own: api placements are I/O-bound and cheap, headless ones hold a Chromium page (memory-bound),
 * manual ones only open a task. A slow browser fleet then never stands in front of an api placement.
 *
 * `<base>-api`, `<base>-headless`, `<base>-manual` beside the base name (`PLACEMENT_QUEUE_NAME`). The base name
 * itself is the single queue of earlier versions: workers drain it (see `legacy-queue-drain.ts`), and the store
 * gate (slots, breakers) keeps its keys under it, so every method queue shares one limit and one breaker per store.
 */
export const QUEUE_METHODS = ['api', 'headless', 'manual'] as const;
export type QueueMethod = (typeof QUEUE_METHODS)[number];

export const isQueueMethod = (value: unknown): value is QueueMethod => QUEUE_METHODS.includes(value as QueueMethod);

export function methodQueueName(baseName: string, method: QueueMethod): string {
  return `${baseName}-${method}`;
}

export class MethodListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MethodListError';
  }
}

/** `api,manual` → ['api', 'manual']; empty or absent → every method. Unknown names are refused, not skipped. */
export function parseMethodList(text: string | undefined): QueueMethod[] {
  const names = (text ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) return [...QUEUE_METHODS];
  const unknown = names.filter((name) => !isQueueMethod(name));
  if (unknown.length > 0)
    throw new MethodListError(
      `unknown placement method ${unknown.join(', ')}; expected some of ${QUEUE_METHODS.join(', ')}`,
    );
  return QUEUE_METHODS.filter((method) => names.includes(method));
}

/** `--methods headless`, `--methods=api,manual` in a process's arguments; absent → undefined. */
export function methodsArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--methods') return argv[i + 1] ?? '';
    if (arg.startsWith('--methods=')) return arg.slice('--methods='.length);
  }
  return undefined;
}
