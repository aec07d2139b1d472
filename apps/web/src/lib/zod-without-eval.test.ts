import './zod-without-eval.ts';
import { expect, it } from 'vitest';
import { config } from 'zod/v4/core';

it('turns off the compiled parsers of the zod the console loads after it', () => {
  expect(config().jitless).toBe(true);
});
