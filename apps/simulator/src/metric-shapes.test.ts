import { describe, expect, it } from 'vitest';
import {
  accumulate,
  clamp,
  dailyCycle,
  driftStep,
  excursionWeight,
  gaugeValue,
  hoverLevel,
  quantize,
  spikeOffset,
} from './metric-shapes.ts';

const HOUR = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 0, 15);

describe('dailyCycle', () => {
  it('peaks at the peak hour and bottoms out twelve hours later', () => {
    expect(dailyCycle(MIDNIGHT + 15 * HOUR, 20, 3, 15)).toBeCloseTo(23);
    expect(dailyCycle(MIDNIGHT + 3 * HOUR, 20, 3, 15)).toBeCloseTo(17);
  });

  it('repeats every 24 hours', () => {
    const t = MIDNIGHT + 7.3 * HOUR;
    expect(dailyCycle(t + 24 * HOUR, 10, 2, 4)).toBeCloseTo(dailyCycle(t, 10, 2, 4));
  });
});

describe('driftStep', () => {
  it('leaves the drift unchanged when no time passes', () => {
    expect(driftStep(1.7, 0, 2, 0.5, 3)).toBe(1.7);
  });

  it('pulls back towards zero when the draws are neutral', () => {
    expect(Math.abs(driftStep(5, 3600, 1, 1, 0))).toBeLessThan(5);
  });

  it('settles to the spread it is given over a long run', () => {
    let drift = 0;
    const values: number[] = [];
    let seed = 1;
    // A fixed sequence of approximately normal draws, so the test is deterministic.
    const z = () => {
      let sum = 0;
      for (let i = 0; i < 12; i++) {
        seed = (seed * 16807) % 2147483647;
        sum += seed / 2147483647;
      }
      return sum - 6;
    };
    for (let i = 0; i < 20_000; i++) {
      drift = driftStep(drift, 60, 2, 1, z());
      values.push(drift);
    }
    const sd = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
    expect(sd).toBeGreaterThan(1.6);
    expect(sd).toBeLessThan(2.4);
  });
});

describe('spikeOffset', () => {
  it('is at full strength through the first two thirds, then eases to nothing', () => {
    expect(spikeOffset(9, 1000, 3000, 999)).toBe(0);
    expect(spikeOffset(9, 1000, 3000, 1000)).toBe(9);
    expect(spikeOffset(9, 1000, 3000, 3000)).toBe(9);
    expect(spikeOffset(9, 1000, 3000, 3500)).toBeCloseTo(4.5);
    expect(spikeOffset(9, 1000, 3000, 4000)).toBe(0);
  });
});

describe('quantize and clamp', () => {
  it('rounds to the step without floating-point tails', () => {
    expect(quantize(21.23456, 0.01)).toBe(21.23);
    expect(quantize(20.7, 0.5)).toBe(20.5);
    expect(quantize(0.1 + 0.2, 0.1)).toBe(0.3);
  });

  it('keeps a value inside physical bounds', () => {
    expect(clamp(-3, 0, 100)).toBe(0);
    expect(clamp(140, 0, 100)).toBe(100);
    expect(clamp(7)).toBe(7);
  });
});

describe('accumulate', () => {
  it('adds the hourly rate for the elapsed time and never counts down', () => {
    expect(accumulate(100, 12, 1800)).toBeCloseTo(106);
    expect(accumulate(100, -5, 1800)).toBe(100);
  });
});

describe('gaugeValue', () => {
  const shape = { mean: 50, amplitude: 10, peakHour: 12, noise: 1, min: 0, max: 100, step: 0.1 };

  it('adds drift, spike and noise to the daily cycle', () => {
    expect(gaugeValue(shape, MIDNIGHT + 12 * HOUR, 2, 5, 1)).toBe(68);
  });

  it('clamps a negative spike at the lower bound', () => {
    expect(gaugeValue(shape, MIDNIGHT, 0, -80, 0)).toBe(0);
  });
});

describe('excursionWeight', () => {
  it('ramps up, holds and ramps back down', () => {
    const weights = [0, 3, 6, 20, 37, 40, 41].map((s) => excursionWeight(0, 40_000, 6_000, s * 1000));
    expect(weights).toEqual([0, 0.5, 1, 1, 0.5, 0, 0]);
  });
});

describe('hoverLevel', () => {
  it('holds above, then alternates below and above sample by sample', () => {
    const hover = { above: 29, below: 26 };
    expect(hoverLevel(hover, true, 4)).toBe(29);
    expect([10, 11, 12, 13].map((sample) => hoverLevel(hover, false, sample))).toEqual([26, 29, 26, 29]);
  });
});
