/**
 * One step of a saga, with its undo beside it (Medusa's `createStep(name, invoke, compensate)`, without the
 * engine): `invoke` does the step's work; `compensate` gives back what the step took when the saga cannot go on
 * (a declined card, a refused code, an unknown outcome). Which failures call for the undo is the step's own
 * business, written where the step is; the resume of a step a crash cut short is named in its TSDoc.
 */
export interface SagaStep<Ctx, In, Out> {
  readonly name: string;
  invoke(ctx: Ctx, input: In): Promise<Out>;
  compensate(ctx: Ctx, input: In): Promise<void>;
}

export function createStep<Ctx, In, Out>(
  name: string,
  invoke: (ctx: Ctx, input: In) => Promise<Out>,
  compensate: (ctx: Ctx, input: In) => Promise<void> = async () => {},
): SagaStep<Ctx, In, Out> {
  return { name, invoke, compensate };
}
