#!/usr/bin/env node
// The CLI is TypeScript run as it is (like the stack apps): tsx compiles it on load, offline.
require('tsx/cjs');
require('../src/main.ts');
