/**
 * Progress of a long command on a terminal: events processed, rate and ETA on one line of stderr,
 * redrawn a few times a second. Silent when stderr is not a terminal (pipes, files, CI), so
 * output meant for other programs stays clean.
 */
export class Progress {
  private done = 0;
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private total: number | null = null,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true;
  }

  setTotal(total: number | null): void {
    this.total = total;
  }

  add(n: number): void {
    this.done += n;
    const now = performance.now();
    if (this.enabled && now - this.lastDraw > 200) {
      this.lastDraw = now;
      this.stream.write(`\r\x1b[K${this.line(now)}`);
    }
  }

  get count(): number {
    return this.done;
  }

  /** Clears the line; returns the elapsed seconds. */
  finish(): number {
    const seconds = (performance.now() - this.started) / 1000;
    if (this.enabled) this.stream.write('\r\x1b[K');
    return seconds;
  }

  private line(now: number): string {
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    let text =
      `${this.label}: ${this.done.toLocaleString('en-US')} ` + `events, ${Math.round(rate).toLocaleString('en-US')}/s`;
    if (this.total !== null && this.total > this.done && rate > 0)
      text += `, ETA ${Math.ceil((this.total - this.done) / rate)} s`;
    return text;
  }
}
