// The web project's test setup: unmount what each test rendered (vitest runs without globals).
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(cleanup);
