/**
 * Libraries never print: diagnostics go to an injectable {@link Logger}, progress to a
 * {@link ProgressCallback}. Only the CLI writes to the terminal.
 */

/** Where a library sends its diagnostics. Every method is optional. */
export interface Logger {
  debug?(message: string, data?: Record<string, unknown>): void;
  info?(message: string, data?: Record<string, unknown>): void;
  warn?(message: string, data?: Record<string, unknown>): void;
}

/** One step of a long-running operation. */
export interface ProgressEvent {
  /** Which stage reports, e.g. `'vae'`, `'fusion'`, `'isolationForest'`. */
  stage: string;
  /** 1-based epoch for training loops. */
  epoch?: number;
  /** Upper bound on epochs. */
  maxEpochs?: number;
  /** Training loss of the epoch. */
  loss?: number;
  /** Validation loss or metric of the epoch. */
  validation?: number;
  /** Fraction done in [0, 1], where known. */
  fraction?: number;
  /** Seconds since the stage started. */
  elapsed: number;
  /** Free-form detail. */
  message?: string;
}

/** Receives {@link ProgressEvent}s. */
export type ProgressCallback = (event: ProgressEvent) => void;

/** A logger that discards everything; the default of every library entry point. */
export const silentLogger: Logger = Object.freeze({});

/** Logs through `console` at or above `level`; for applications, not for library code. */
export function consoleLogger(level: 'debug' | 'info' | 'warn' = 'info'): Logger {
  const order = { debug: 0, info: 1, warn: 2 };
  const make =
    (at: 'debug' | 'info' | 'warn') => (message: string, data?: Record<string, unknown>) => {
      if (order[at] < order[level]) return;
      const line = data ? `${message} ${JSON.stringify(data)}` : message;
      if (at === 'warn') console.warn(line);
      else console.error(line);
    };
  return { debug: make('debug'), info: make('info'), warn: make('warn') };
}
