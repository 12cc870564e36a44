#!/usr/bin/env node
import '../dist/demo-server/cli.js';
