#!/usr/bin/env node
// The `mqfleet` command (docs/cli.md); the program is built into dist/ by `pnpm run build`.
require('../dist/main.js').main(process.argv.slice(2));
