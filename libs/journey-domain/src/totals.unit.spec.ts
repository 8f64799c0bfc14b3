import { checkTotals } from './totals';

const items = [
  { sku: 'a', name: 'A', qty: 2, unitPrice: 1000 },
  { sku: 'b', name: 'B', qty: 1, unitPrice: 550 },
];

describe('order totals', () => {
  it.each([
    ['totals that add up', { subtotal: 2550, discount: 500, shipping: 495, fees: 100, tax: 300, total: 2945 }, []],
    [
      'a subtotal that is not the sum of the items',
      { subtotal: 2500, discount: 0, shipping: 0, fees: 0, tax: 0, total: 2500 },
      ['data.totals.subtotal'],
    ],
    [
      'a total that does not add up',
      { subtotal: 2550, discount: 500, shipping: 495, fees: 100, tax: 300, total: 3000 },
      ['data.totals.total'],
    ],
    [
      'a discount above the subtotal',
      { subtotal: 2550, discount: 3000, shipping: 450, fees: 0, tax: 0, total: 0 },
      ['data.totals.discount'],
    ],
  ])('given %s, then the violations are %j', (_case, totals, paths) => {
    expect(checkTotals(items, totals).map((v) => v.path)).toEqual(paths);
  });
});
