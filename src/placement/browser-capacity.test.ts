import { browserPageCapacity, MAX_DERIVED_PAGES } from './browser-capacity';

describe('browser page capacity', () => {
  const settings = { pagesPerGib: 20, reserveMib: 1024 };

  it('follows the memory left after the reserve', () => {
    expect(browserPageCapacity(settings, () => 4096)).toEqual({ pages: 60, basis: 'memory', budgetMib: 3072 });
    expect(browserPageCapacity(settings, () => 8192).pages).toBe(140);
  });

  it('takes the memory it is given over the machine’s', () => {
    expect(browserPageCapacity({ ...settings, memoryMib: 512 }, () => 65_536)).toEqual({
      pages: 10,
      basis: 'memory',
      budgetMib: 512,
    });
  });

  it('keeps one page on a machine with less than the reserve, and caps a huge one', () => {
    expect(browserPageCapacity(settings, () => 900).pages).toBe(1);
    expect(browserPageCapacity(settings, () => 1_048_576).pages).toBe(MAX_DERIVED_PAGES);
  });

  it('lets a fixed count win', () => {
    expect(browserPageCapacity({ ...settings, maxPages: 3 }, () => 65_536)).toEqual({ pages: 3, basis: 'fixed' });
  });
});
