/**
 * A new alert's sound and vibration on the phone: a short two-tone beep (Web Audio) and a buzz,
 * where the browser allows. Browsers allow sound only after a user gesture: the first tap on
 * the page (or the tap that turns notifications on) unlocks it.
 */
let audio: AudioContext | undefined;

/** Unlocks sound; call from a user gesture. */
export function unlockSound(): void {
  audio ??= new AudioContext();
  void audio.resume().catch(() => undefined);
}
document.addEventListener('pointerdown', unlockSound, { once: true });

export const VIBRATION = [200, 100, 200];

export function beep(): void {
  if (!audio) return;
  for (const [offset, frequency] of [[0, 880], [0.25, 1175]] as const) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    const start = audio.currentTime + offset;
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.2, start);
    gain.gain.exponentialRampToValueAtTime(0.001, start + 0.3);
    tone.connect(gain).connect(audio.destination);
    tone.start(start);
    tone.stop(start + 0.3);
  }
}

/** Sound and vibration for an alert that came in while the page is on screen. */
export function announce(): void {
  navigator.vibrate?.(VIBRATION);
  beep();
}
