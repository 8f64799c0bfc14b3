import type { z } from 'zod';
import type { EventRules } from '#schemas';
import { LoyaltyPointsEarnedV1, loyaltyPointsEarnedRules } from './loyalty-points.example';

describe('a new event type (the guide example of step 1)', () => {
  it('given its schema, then valid data passes and a field error names the field', () => {
    expect(LoyaltyPointsEarnedV1.safeParse({ orderId: 'ord-1', points: 120 }).success).toBe(true);
    const refused = LoyaltyPointsEarnedV1.safeParse({ orderId: 'ord-1', points: -5 });
    expect(refused.error?.issues.map((i) => i.path.join('.'))).toEqual(['points']);
  });

  it('given its rules, then they name fields of its data (checked by the type check)', () => {
    expect(loyaltyPointsEarnedRules).toEqual({ namesOrder: 'orderId' });
    // @ts-expect-error: the rules name data fields that hold strings; a misspelt one does not compile
    const misspelt: EventRules<z.infer<typeof LoyaltyPointsEarnedV1>> = { namesOrder: 'orderid' };
    expect(misspelt).toBeDefined();
  });
});
