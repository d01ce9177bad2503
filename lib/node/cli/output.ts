/**
 * Writes to stdout, waiting while the pipe is full, so a slow reader (`| less`) bounds the
 * memory a long listing takes.
 * @internal
 */
export async function write(text: string): Promise<void> {
  if (text.length > 0 && !process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve))
}
