#!/usr/bin/env node
// The tool runs from its TypeScript source, like every target in this workspace: tsx's CommonJS
// hook compiles it on load, so there is no build step to forget before bootstrapping.
require('tsx/cjs');
require('../src/main.ts');
