// prevalent/server: a store's views served to browsers over WebSocket. Listed by hand.
export { serveStore } from './serve.js'
export type { LiveServer, ServeOptions } from './serve.js'
export { defineViews } from './views.js'
export type { View, Views } from './views.js'
export { diff } from './diff.js'
export { toWire } from './to-wire.js'
export type { PatchOp, PatchPath, ClientMessage, ServerMessage } from '../client/protocol.js'
