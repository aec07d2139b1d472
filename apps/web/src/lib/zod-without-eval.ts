// The BFF's CSP forbids eval. zod compiles object parsers with `new Function` unless told not to,
// and its probe for that is reported as a CSP violation even though zod catches the refusal.
// zod reads its settings from one object on globalThis, and keeps one set before it loads (its own
// tests hold it to that), so the entry sets it without importing zod: `config()` from
// zod/v4/core would put about 7 KB br of zod's core in the entry chunk, which Rollup cannot shake.
import type { $ZodConfig } from 'zod/v4/core';

const zodSettings = globalThis as { __zod_globalConfig?: $ZodConfig };
(zodSettings.__zod_globalConfig ??= {}).jitless = true;
