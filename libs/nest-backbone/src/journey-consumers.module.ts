import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import type { BackboneConfig } from '#config';
import type { JourneyLog } from '#journey-log';
import type { StructuredLogger } from '#logging';
import { ReactorRunner, type Reactor } from '#projection-runtime';
import type { ReadStore } from '#read-store';
import { decoratedReactors } from './on-journey-event';
import { RunningReactors } from './running-reactors';
import { BACKBONE_CONFIG, JOURNEY_LOG, LOGGER, READ_STORE } from './tokens';

export interface JourneyConsumersOptions {
  /** Reactors defined as plain objects (`defineReactor`), run beside the decorated methods. */
  reactors?: readonly Reactor[];
  /**
   * Prefix of the consumer group each reactor's instances share on Kafka (`<prefix>.<reactor>.<topic>`).
   * @defaultValue 'journey-reactor'
   */
  groupPrefix?: string;
}

const CONSUMERS_OPTIONS = Symbol('CONSUMERS_OPTIONS');

/** The consumer group a reactor's instances share: on a partitioned log only (elsewhere one instance runs it). */
export function reactorGroup(config: BackboneConfig, name: string, prefix = 'journey-reactor'): string | undefined {
  return config.journeyLog.kind === 'kafka' ? `${prefix}.${name}.${config.journeyLog.topic}` : undefined;
}

/**
 * Finds the reactors of the application (methods decorated with `@OnJourneyEvent` on any provider, and those given
 * to `forRoot`), runs each from its checkpoint for the life of the app, and stops them at shutdown.
 */
@Injectable()
export class JourneyConsumers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runners: ReactorRunner[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(BACKBONE_CONFIG) private readonly config: BackboneConfig,
    @Inject(LOGGER) private readonly logger: StructuredLogger,
    private readonly running: RunningReactors,
    @Inject(CONSUMERS_OPTIONS) private readonly options: JourneyConsumersOptions,
  ) {}

  /** The reactors found: those given, then the decorated methods in the order Nest lists providers. */
  reactors(): Reactor[] {
    const found: Reactor[] = [...(this.options.reactors ?? [])];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance && typeof instance === 'object' && !wrapper.isAlias) found.push(...decoratedReactors(instance));
    }
    const names = new Set<string>();
    for (const reactor of found) {
      if (names.has(reactor.name)) throw new Error(`two reactors are named ${reactor.name}: give one another name`);
      names.add(reactor.name);
    }
    return found;
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const reactor of this.reactors()) {
      const runner = new ReactorRunner({
        log: this.log,
        store: this.store,
        reactor,
        group: reactorGroup(this.config, reactor.name, this.options.groupPrefix),
        logger: this.logger.child({ component: 'reactor' }),
      });
      await runner.start();
      this.runners.push(runner);
      this.running.add(runner);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const runner of this.runners.splice(0)) {
      await runner.stop();
      this.running.remove(runner);
    }
  }
}

/** Runs the application's reactors (see `JourneyConsumers`); needs the backbone module (`startApp` gives it). */
@Module({})
export class JourneyConsumersModule {
  static forRoot(options: JourneyConsumersOptions = {}): DynamicModule {
    return {
      module: JourneyConsumersModule,
      imports: [DiscoveryModule],
      providers: [{ provide: CONSUMERS_OPTIONS, useValue: options }, JourneyConsumers],
      exports: [JourneyConsumers],
    };
  }
}
