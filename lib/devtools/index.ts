// prevalent/devtools: a Redux DevTools bridge for a store or a live connection. Listed by hand.
export { connectDevTools, liveSource, storeSource } from './bridge.js'
export type { DevToolsAction, DevToolsExtension, DevToolsOptions, DevToolsSource } from './bridge.js'
