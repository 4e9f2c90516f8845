/** A one-line progress bar, redrawn in place on a terminal and printed every few seconds elsewhere. */
export class ProgressLine {
  private lastPrinted = 0;
  private completePrinted = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(label: string, done: number, total: number): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const line = `${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.round(fraction * 100)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
    } else if (fraction === 1 ? !this.completePrinted : Date.now() - this.lastPrinted > 2_000) {
      this.stream.write(`${line}\n`);
      this.lastPrinted = Date.now();
      this.completePrinted = fraction === 1;
    }
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
    this.completePrinted = false;
  }
}
