/**
 * The error classes every Decoders package throws. Messages start lower-case, name the
 * offending input and say how to fix it.
 */

/** Base class of every error thrown on purpose by a Decoders package. */
export class DecodersError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An argument or option has the wrong shape, type or value. */
export class ValidationError extends DecodersError {}

/** A method that needs a fitted model was called before `fit`. */
export class NotFittedError extends DecodersError {
  constructor(what: string, method = 'this method') {
    super(`${what} is not fitted yet: call fit() before ${method}`);
  }
}

/** Saved state is corrupt, truncated, of another kind or from a newer format version. */
export class FormatError extends DecodersError {}

/** A long-running operation was cancelled through its `AbortSignal`. */
export class AbortError extends DecodersError {
  constructor(what = 'operation') {
    super(`${what} was aborted`);
  }
}

/** Throws an {@link AbortError} if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new AbortError(what);
}
