#!/usr/bin/env node
/** Entry point of the `decoders` command. */
import { main } from './cli/program.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
