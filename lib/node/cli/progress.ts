/**
 * A one-line progress report on stderr for long reads, redrawn at most ten times a second.
 * Silent unless stderr is a terminal, so pipes and logs stay clean.
 * @internal
 */
export class Progress {
  readonly #label: string
  readonly #total: number
  readonly #enabled: boolean
  #last = 0
  #shown = false

  constructor(label: string, totalBytes: number, enabled = process.stderr.isTTY === true) {
    this.#label = label
    this.#total = totalBytes
    this.#enabled = enabled && totalBytes > 0
  }

  /** Reports that `doneBytes` of the total have been read. */
  update(doneBytes: number): void {
    if (!this.#enabled) return
    const now = Date.now()
    if (now - this.#last < 100) return
    this.#last = now
    this.#shown = true
    const percent = Math.min(100, Math.floor((doneBytes / this.#total) * 100))
    process.stderr.write(`\r${this.#label}: ${percent}% of ${formatBytes(this.#total)}\x1b[K`)
  }

  /** Clears the line. */
  done(): void {
    if (this.#shown) process.stderr.write('\r\x1b[K')
    this.#shown = false
  }
}

/** `1536` → `1.5 KiB`; below 1 KiB, bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}
