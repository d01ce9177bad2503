// Child of bench/fanout.ts: serves a board whose state holds --entries archive entries and
// reports its RSS (after GC) when asked, so the parent can open idle connections against it.
import { numberArg } from './args.js'
import { serveBoard } from './fanout-setup.js'

const served = await serveBoard(numberArg('entries', 0))
const rss = () => {
  globalThis.gc?.()
  globalThis.gc?.()
  return process.memoryUsage().rss
}
process.on('message', (message) => {
  if (message === 'rss') process.send!({ rss: rss(), connections: served.live.connections })
})
process.send!({ url: served.url, rss: rss() })
