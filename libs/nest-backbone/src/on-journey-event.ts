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
  return <M extends (event: JourneyEventOf<T>, context: ReactionContext) => Promise<unknown>>(
    _target: object,
    _method: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    const metadata: OnJourneyEventMetadata = { types: typeof types === 'string' ? [types] : [...types], options };
    Reflect.defineMetadata(ON_JOURNEY_EVENT, metadata, descriptor.value!);
  };
}

/** `DelayNotifier.onDelayed` -> `delay-notifier.on-delayed`. */
function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .toLowerCase();
}

/** The reactors an object's decorated methods make (its class and its parents'), bound to it. */
export function decoratedReactors(instance: object): Reactor[] {
  const found: Reactor[] = [];
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto && proto !== Object.prototype;) {
    for (const method of Object.getOwnPropertyNames(proto)) {
      if (method === 'constructor' || names.has(method)) continue;
      names.add(method);
      const handler = Object.getOwnPropertyDescriptor(proto, method)?.value as unknown;
      if (typeof handler !== 'function') continue;
      const metadata = Reflect.getMetadata(ON_JOURNEY_EVENT, handler) as OnJourneyEventMetadata | undefined;
      if (!metadata) continue;
      found.push({
        name: kebab(`${instance.constructor.name}.${method}`),
        ...metadata.options,
        canHandle: metadata.types,
        handle: async (event, context) => {
          await (handler as (e: typeof event, c: ReactionContext) => Promise<unknown>).call(instance, event, context);
        },
      });
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return found;
}
