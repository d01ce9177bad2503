// Child of bench/fanout.ts: opens --clients WebSocket clients to --url, each subscribed to the
// board view, and reports to the parent (IPC) each seq once all of its clients have it. At the
// end it gets the commit times and answers with a histogram of commit-to-client latencies.
// Clients run apart from the server so that the server's CPU and latency are its own.
import { WebSocket } from 'ws'
import { numberArg } from './args.js'

const url = process.argv[process.argv.indexOf('--url') + 1]
const CLIENTS = numberArg('clients', 250)
const MAX_SEQ = numberArg('max-seq', 10_000)
const wall = () => performance.timeOrigin + performance.now()

/** Receive times by seq, then client. */
const receivedAt = Array.from({ length: MAX_SEQ + 1 }, () => [] as number[])
let upTo = 0
const sockets: WebSocket[] = []

await Promise.all(
  Array.from({ length: CLIENTS }, () =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(url)
      sockets.push(socket)
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString())
        if (message.t === 'hello') socket.send('{"t":"sub","id":1,"view":"board"}')
        else if (message.t === 'value') resolve()
        else if (message.t === 'patch') {
          const times = receivedAt[message.seq]
          times.push(wall())
          if (times.length === CLIENTS && message.seq === upTo + 1) {
            while (receivedAt[upTo + 1]?.length === CLIENTS) upTo++
            process.send!({ upTo })
          }
        }
      })
      socket.on('error', reject)
    }),
  ),
)
process.send!({ ready: true })

process.on('message', (message: { committedAt: number[]; ranges: Array<[number, number]> }) => {
  // A histogram of latencies per range, in 0.1 ms buckets (the last one holds all beyond 10 s).
  const histograms = message.ranges.map(([from, to]) => {
    const buckets = new Array<number>(100_001).fill(0)
    for (let seq = from; seq <= to; seq++) for (const t of receivedAt[seq]) buckets[Math.min(100_000, Math.max(0, Math.round((t - message.committedAt[seq]) * 10)))]++
    return buckets
  })
  for (const socket of sockets) socket.terminate()
  process.send!({ histograms }, () => process.exit(0))
})
