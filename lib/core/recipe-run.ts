import { current, isDraft, type Immer } from 'immer'
import type { EncodedArgs } from './codec.js'
import { patchesByRef, type Commit } from './commits.js'
import { TransactionContext } from './context.js'
import type { Recipe, RefValues } from './definition.js'
import { checkDeterminism } from './determinism.js'
import { StoreError } from './errors.js'
import { freezeChanged } from './freeze.js'

/** How a store runs recipes at dispatch. @internal */
export interface RunOptions {
  readonly immer: Immer
  readonly freeze: boolean
  readonly patches: boolean
  readonly checkDeterminism: boolean
}

/** A recipe's outcome: the new root (the same object when nothing changed), its result, and patches on request. @internal */
export interface RunOutcome<S> {
  readonly root: S
  readonly result: unknown
  readonly patches?: Pick<Commit, 'patches' | 'inversePatches'>
}

/**
 * Runs one recipe on `root` through Immer. The recipe's return value goes to the caller, not
 * to Immer (so returning a value never replaces the state); a returned draft is copied out
 * before it is revoked. Throws whatever the recipe threw (then nothing changed).
 * @throws StoreError `ASYNC_RECIPE`, `NONDETERMINISTIC`.
 * @internal
 */
export function runRecipe<S extends RefValues>(options: RunOptions, recipe: Recipe<S>, name: string, root: S, live: unknown[], encoded: EncodedArgs, seq: number, time: number): RunOutcome<S> {
  const ctx = new TransactionContext(seq, time)
  let result: unknown
  const produce = (draft: unknown): void => {
    const value = recipe.call(ctx, draft as never, ...live)
    result = isDraft(value) ? current(value) : value
  }
  let next: S
  let patches: RunOutcome<S>['patches']
  if (options.patches) {
    const [produced, forward, inverse] = options.immer.produceWithPatches(root, produce)
    next = produced as S
    patches = { patches: patchesByRef(forward), inversePatches: patchesByRef(inverse) }
  } else {
    next = options.immer.produce(root, produce)
  }
  if (options.freeze && next !== root) freezeChanged(next, root)
  if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
    // The promise is refused, but its rejection is still ours to handle: unhandled, it would end the process.
    try {
      ;(result as PromiseLike<unknown>).then(undefined, () => undefined)
    } catch {
      // A thenable whose then throws has nothing left to handle.
    }
    throw new StoreError('ASYNC_RECIPE', `transaction "${name}" returned a promise; recipes must be synchronous (do async work before dispatch)`, { transaction: name })
  }
  if (options.checkDeterminism) checkDeterminism(options.immer, recipe, root, next, name, encoded, seq, time)
  return { root: next, result, patches }
}
