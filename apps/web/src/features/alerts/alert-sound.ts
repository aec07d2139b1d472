import { useCallback, useSyncExternalStore } from 'react';

/** An operator's preference, kept per browser: off until they turn it on. */
const STORAGE_KEY = 'tierscope.alertSound';

const listeners = new Set<() => void>();
let audio: AudioContext | null = null;

function readEnabled(): boolean {
  return globalThis.localStorage?.getItem(STORAGE_KEY) === 'on';
}

/**
 * Browsers allow sound only after a user gesture: the audio context is created when the operator
 * turns the sound on, and, after a reload with it on, resumed at their next tap or key press.
 */
function audioContext(): AudioContext | null {
  if (audio) return audio;
  if (typeof AudioContext === 'undefined') return null;
  audio = new AudioContext();
  if (audio.state === 'suspended') {
    const resume = () => {
      void audio?.resume();
      window.removeEventListener('pointerdown', resume);
      window.removeEventListener('keydown', resume);
    };
    window.addEventListener('pointerdown', resume);
    window.addEventListener('keydown', resume);
  }
  return audio;
}

export function setAlertSound(enabled: boolean): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, enabled ? 'on' : 'off');
  for (const listener of listeners) listener();
  if (enabled) beep();
}

/** Whether new critical alerts beep, and the switch; the same in every tab component. */
export function useAlertSound(): [boolean, (enabled: boolean) => void] {
  const enabled = useSyncExternalStore(
    (onChange) => {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    readEnabled,
    () => false,
  );
  return [enabled, useCallback((next: boolean) => setAlertSound(next), [])];
}

/** Two short tones (Web Audio: no sound file to load); silent when the browser does not allow it yet. */
export function beep(): void {
  const context = audioContext();
  if (!context || context.state !== 'running') {
    void context?.resume();
    if (context?.state !== 'running') return;
  }
  const start = context.currentTime;
  for (const [offset, frequency] of [
    [0, 880],
    [0.22, 660],
  ] as const) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.2);
  }
}
