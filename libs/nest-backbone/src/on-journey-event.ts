import type { ReactionContext, Reactor } from '#projection-runtime';
import type { EventType, JourneyEventOf } from '#schemas';

/** A decorated method's reactor settings: its name (default `<class>.<method>`, kebab-cased) and retry limits. */
export type OnJourneyEventOptions = Partial<Omit<Reactor, 'canHandle' | 'handle'>>;

export const ON_JOURNEY_EVENT = Symbol('ON_JOURNEY_EVENT');

export interface OnJourneyEventMetadata {
  types: readonly EventType[];
  options: OnJourneyEventOptions;
}

/**
 * Makes a provider's method a reactor, found by `JourneyConsumersModule` at start: it gets each event of these
 * types, typed from the catalog, with its `ReactionContext`, at least once, from its own checkpoint.
 */
export function OnJourneyEvent<const T extends EventType>(
  types: T | readonly T[],
  options: OnJourneyEventOptions = {},
) {
  return <R>(
    _target: object,
    _method: string | symbol,
    descriptor: TypedPropertyDescriptor<(event: JourneyEventOf<T>, context: ReactionContext) => Promise<R>>,
  ): void => {
    const metadata: OnJourneyEventMetadata = { types: typeof types === 'string' ? [types] : [...types], options };
    Reflect.defineMetadata(ON_JOURNEY_EVENT, metadata, descriptor.value!);
  };
}
