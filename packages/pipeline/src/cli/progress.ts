/**
 * Progress of a command on stderr: bars on a terminal (cli-progress), one plain line per event
 * otherwise, nothing when quiet. stdout is left to results.
 */
import type { ProgressEvent } from '@decoders/core';
import cliProgress from 'cli-progress';

/** Receives pipeline progress events and shows them. */
export interface ProgressView {
  onProgress(event: ProgressEvent): void;
  /** Prints a line of its own (e.g. "wrote model.decoders"). */
  note(message: string): void;
  stop(): void;
}

function describe(event: ProgressEvent): string {
  const parts: string[] = [event.stage];
  if (event.epoch !== undefined) {
    parts.push(`epoch ${event.epoch}${event.maxEpochs ? `/${event.maxEpochs}` : ''}`);
  }
  if (event.loss !== undefined) parts.push(`loss=${event.loss.toPrecision(4)}`);
  if (event.validation !== undefined) parts.push(`validation=${event.validation.toPrecision(4)}`);
  if (event.message) parts.push(event.message);
  parts.push(`(${event.elapsed.toFixed(1)}s)`);
  return parts.join(' ');
}

/** Plain lines, for logs and pipes. */
class LineView implements ProgressView {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  onProgress(event: ProgressEvent): void {
    if (event.fraction === 0 && event.epoch === undefined) return;
    this.stream.write(`${describe(event)}\n`);
  }

  note(message: string): void {
    this.stream.write(`${message}\n`);
  }

  stop(): void {}
}

/** One bar per stage, for terminals. */
class BarView implements ProgressView {
  private bar: cliProgress.SingleBar | undefined;
  private stage = '';

  constructor(private readonly stream: NodeJS.WritableStream) {}

  onProgress(event: ProgressEvent): void {
    const total = event.maxEpochs ?? 100;
    const value = event.epoch ?? Math.round((event.fraction ?? 0) * total);
    if (event.stage !== this.stage || !this.bar) {
      this.stop();
      this.stage = event.stage;
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: `${event.stage.padEnd(10)} [{bar}] {value}/{total} {detail}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, value, { detail: '' });
    }
    const detail = [
      event.loss !== undefined ? `loss ${event.loss.toPrecision(4)}` : '',
      event.validation !== undefined ? `val ${event.validation.toPrecision(4)}` : '',
      event.message ?? '',
      `${event.elapsed.toFixed(1)}s`,
    ]
      .filter(Boolean)
      .join(' · ');
    this.bar.setTotal(total);
    this.bar.update(value, { detail });
  }

  note(message: string): void {
    this.stop();
    this.stream.write(`${message}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.stage = '';
  }
}

/** Nothing at all. */
class QuietView implements ProgressView {
  onProgress(): void {}
  note(): void {}
  stop(): void {}
}

/** The view that suits `stream`: bars on a TTY, lines otherwise, none when `quiet`. */
export function progressView(quiet: boolean, stream = process.stderr): ProgressView {
  if (quiet) return new QuietView();
  return stream.isTTY ? new BarView(stream) : new LineView(stream);
}
