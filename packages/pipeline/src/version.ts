/** Version of `@decoders/pipeline`, written into every saved model (a test keeps it in step). */
export const VERSION = '0.1.0';
