#!/usr/bin/env node
// Loads the TypeScript entry point through tsx in this same process (signals reach it directly).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
