// prevalent/react: hooks over useSyncExternalStore for refs, stores and live views. Listed by hand.
export { useSelector, useStatus, useValue, useView } from './hooks.js'
export type { Readable, StateSource } from './hooks.js'
