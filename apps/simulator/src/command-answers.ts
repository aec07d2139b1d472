import type { CommandAckPayload, CommandPayload } from '@tierscope/shared/mqtt';
import { createRng, hashSeed, uniform } from './rng.ts';

/**
 * How a simulated device answers commands, fixed per device so the demo shows every outcome:
 * most answer at once, some answer after a command's default timeout (10 s) has passed, some
 * refuse everything. A device in an outage is offline, so the node keeps its commands queued
 * until they expire or it is back.
 */
export type CommandTemper = 'prompt' | 'slow' | 'failing';

const SLOW_SHARE = 0.05;
const FAILING_SHARE = 0.05;
const SLOW_ANSWER_MS = 15_000;

export function temperOf(deviceId: string, seed: number): CommandTemper {
  const draw = createRng(hashSeed(seed, `commands:${deviceId}`)).next();
  if (draw < SLOW_SHARE) return 'slow';
  if (draw < SLOW_SHARE + FAILING_SHARE) return 'failing';
  return 'prompt';
}

/** The device's ack to `command`, and how long after receiving it the device sends it. */
export function answerTo(
  command: CommandPayload,
  temper: CommandTemper,
  seed: number,
): { delayMs: number; ack: CommandAckPayload } {
  const rng = createRng(hashSeed(seed, `answer:${command.id}`));
  if (temper === 'failing')
    return {
      delayMs: uniform(rng, 50, 300),
      ack: { id: command.id, ok: false, error: 'device busy: try again later' },
    };
  return {
    delayMs: temper === 'slow' ? SLOW_ANSWER_MS : uniform(rng, 50, 300),
    ack: { id: command.id, ok: true, result: resultOf(command) },
  };
}

function resultOf(command: CommandPayload): Record<string, unknown> {
  const params = command.params ?? {};
  switch (command.name) {
    case 'reboot':
      return { uptimeSeconds: 0 };
    case 'set-interval':
      return { intervalSeconds: params.seconds };
    case 'identify':
      return { blinkingSeconds: params.seconds ?? 10 };
    default:
      return { applied: params };
  }
}
