import { MethodListError, methodQueueName, methodsArgument, parseMethodList } from './placement-methods';

describe('placement methods of a worker', () => {
  it('reads --methods in both spellings, and nothing when absent', () => {
    expect(methodsArgument(['--methods', 'headless'])).toBe('headless');
    expect(methodsArgument(['--methods=api,manual'])).toBe('api,manual');
    expect(methodsArgument([])).toBeUndefined();
  });

  it('takes every method when none is named, and refuses an unknown one', () => {
    expect(parseMethodList(undefined)).toEqual(['api', 'headless', 'manual']);
    expect(parseMethodList(' manual , api ')).toEqual(['api', 'manual']);
    expect(() => parseMethodList('api,browser')).toThrow(MethodListError);
  });

  it('names each method queue beside the base queue', () => {
    expect(methodQueueName('placements', 'headless')).toBe('placements-headless');
  });
});
