#!/usr/bin/env node
// The wvisor command: the compiled CLI lives in dist/ (built by `npm run build`).
import { main } from '../dist/host/cli/main.js';

process.exitCode = await main(process.argv);
