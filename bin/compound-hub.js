#!/usr/bin/env node
// Loads the TypeScript entry point through tsx in this same process, so a signal sent to this
// process reaches the hub itself (no tsx child between). Run by `npx compound-hub`, it sits
// under a shell that dies of SIGTERM without passing it on: src/main.ts then stops the hub by
// itself as soon as that shell is gone.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
