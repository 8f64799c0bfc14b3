import { BackboneError } from '#errors';
import type { ProjectionsLock, ProjectionsLockMode } from './read-store.port';

/** The refusal of `lockProjections`, saying who holds the lock and what to do. */
export function projectionsLocked(wanted: ProjectionsLockMode, store: string): BackboneError {
  return wanted === 'exclusive'
    ? new BackboneError(
        'projections_locked',
        `projectors are running on the read store ${store}: stop them first (a rebuild must be the ` +
          `projections' only writer)`,
      )
    : new BackboneError(
        'projections_locked',
        `a rebuild is running on the read store ${store}: start projectors once it has finished`,
      );
}

/** A granted lock: `let go` runs at the first release only, however often release is called. */
export function heldLock(letGo: () => void | Promise<void>): ProjectionsLock {
  let held = true;
  return {
    release: async () => {
      if (!held) return;
      held = false;
      await letGo();
    },
  };
}
