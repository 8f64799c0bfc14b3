import { z } from 'zod';
import { Id, type EventRules } from '#schemas';

// Step 1 of docs/adding-a-consumer.md: a new event type's data schema and the rules of its catalog entry, checked
// against its data as the catalog checks them.
export const LoyaltyPointsEarnedV1 = z.object({ orderId: Id, points: z.number().int().positive() });

export const loyaltyPointsEarnedRules: EventRules<z.infer<typeof LoyaltyPointsEarnedV1>> = { namesOrder: 'orderId' };
