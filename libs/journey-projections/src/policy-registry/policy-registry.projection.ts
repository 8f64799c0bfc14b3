import { defineProjection } from '#projection-runtime';
import { publishedPolicyVersion, type OrderPlacement, type PolicyVersion } from '#journey-domain';

/**
 * Every published policy version, one document each, named so that listing the documents by id,
 * from the highest below an order's placement down, meets the versions in force at that time in
 * the order `governingPolicy` prefers them (see `policyDocumentId`). A read costs the same with
 * one policy or thousands, and a publication writes one small document.
 */
export const policyRegistryProjection = defineProjection({
  name: 'policy-registry',
  version: 3,
  canHandle: ['policy.published'],
  documentId: (event) => policyDocumentId(event.data),
  initialState: (): PolicyVersion | null => null,
  evolve(state, event, context) {
    // The same version published twice (only a record written around the backbone could): the first one received
    // stands.
    if (state !== null && state.received <= context.sequence) return state;
    return publishedPolicyVersion(event, context.sequence);
  },
});

/**
 * `<kind>/<effectiveFrom>/<version>/<policyId>`: effectiveFrom normalised, the version zero-padded, so that ids sort as
 * their versions take effect.
 */
export function policyDocumentId(
  policy: Pick<PolicyVersion, 'kind' | 'effectiveFrom' | 'version' | 'policyId'>,
): string {
  const from = new Date(policy.effectiveFrom).toISOString();
  return `${policy.kind}/${from}/${String(policy.version).padStart(10, '0')}/${policy.policyId}`;
}

/**
 * The group of a document id (kind, effectiveFrom and version): versions that tie in `governingPolicy` but for their
 * policy id.
 */
function rankOf(documentId: string): string {
  return documentId.slice(0, documentId.lastIndexOf('/'));
}

/** Lists registry documents with ids below `before`, highest first: what the read store's `listBefore` gives. */
export type ListRegistryBefore = (
  before: string,
  limit: number,
) => Promise<Array<{ id: string; value: PolicyVersion | null }>>;

const PAGE = 16;

/**
 * The versions of `kind` that decide which one governs `order`: from the last to take effect at
 * its placement down, up to the first the log received before the order (and those tying with it).
 * `governingPolicy` over them (or over any set holding them) gives the governing version.
 */
export async function policiesDeciding(
  list: ListRegistryBefore,
  order: OrderPlacement,
  kind: PolicyVersion['kind'] = 'returns',
): Promise<PolicyVersion[]> {
  const candidates: PolicyVersion[] = [];
  let before = `${kind}/${new Date(order.placedAt).toISOString()}/\uffff`;
  let eligibleRank: string | null = null;
  for (;;) {
    const page = await list(before, PAGE);
    for (const doc of page) {
      if (!doc.id.startsWith(`${kind}/`) || (eligibleRank !== null && rankOf(doc.id) !== eligibleRank))
        return candidates;
      if (doc.value === null) continue;
      candidates.push(doc.value);
      if (eligibleRank === null && doc.value.received < order.received) eligibleRank = rankOf(doc.id);
    }
    if (page.length < PAGE) return candidates;
    before = page[page.length - 1].id;
  }
}
