import { z } from 'zod';
import { Id } from '../common';
import { notPersonal } from '../personal-data';

/**
 * A customer's personal data was erased (their keys destroyed): appended by the backbone's erasure alone. It holds
 * nothing personal: the ground for the erasure as the operator gives it (a law's article, a ticket id) and who asked.
 */
export const CustomerErasedV1 = z.strictObject({
  reason: notPersonal(
    z.string().trim().min(1, 'must say why').max(500),
    "the operator's ground (a law's article, a ticket id), never the person's data",
  ),
  requestedBy: Id,
});
