import { ValidationError } from '@decoders/core';

/** A mistake in how a command was called: reported in one line, exit status 2. */
export class UsageError extends ValidationError {}
