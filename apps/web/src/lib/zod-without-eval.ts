// The BFF's CSP forbids eval. zod compiles object parsers with `new Function` unless told not to,
// and its probe for that is reported as a CSP violation even though zod catches the refusal. Only
// zod's small core config module lands in the entry chunk; the schemas stay in their own chunks.
import { config } from 'zod/v4/core';

config({ jitless: true });
