import { freeze } from 'immer'

/**
 * Deep-freezes what a transaction created and nothing else: a frozen object is a part of an
 * earlier commit (and so is all it holds), so the walk stops there. A transaction thus pays
 * for the containers it copied and the values it added, never for the size of the state.
 * @internal
 */
export function freezeCreated(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return
  if (value instanceof Map) {
    freeze(value) // Immer's shallow freeze also disables a Map's set/delete/clear
    for (const [k, v] of value) {
      freezeCreated(k)
      freezeCreated(v)
    }
  } else if (value instanceof Set) {
    freeze(value)
    for (const v of value) freezeCreated(v)
  } else if (Array.isArray(value)) {
    Object.freeze(value)
    for (let i = 0; i < value.length; i++) freezeCreated(value[i])
  } else if (!(value instanceof Date)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) freezeCreated((value as Record<string, unknown>)[key])
  }
}
